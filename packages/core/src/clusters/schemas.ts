// Zod inputs of the cluster procedures (shared by the tRPC routers, REST and the services).
import { z } from "zod";
import { DEFAULT_REGION, DEFAULT_VERSION, FLAVORS, REGIONS, VERSIONS } from "./catalog.ts";

const dnsLabel = (what: string) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .min(1, `${what} is required`)
    .max(40, `${what} is too long (40 characters at most)`)
    .regex(
      /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
      `${what} must be lower-case letters, digits and '-', starting with a letter and not ending with '-'`,
    );

export const ZTaint = z.object({
  key: z.string().min(1, "taint key is required").max(253),
  value: z.string().max(63).optional(),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"], {
    error: "taint effect must be NoSchedule, PreferNoSchedule or NoExecute",
  }),
});

export const ZNodePoolInput = z
  .object({
    name: dnsLabel("Node pool name"),
    flavor: z.enum(FLAVORS.map((f) => f.name) as [string, ...string[]], {
      error: `flavor must be one of ${FLAVORS.map((f) => f.name).join(", ")}`,
    }),
    count: z.number().int("count must be a whole number").min(0, "count cannot be negative").max(100),
    minCount: z.number().int().min(0).max(100).optional(),
    maxCount: z.number().int().min(0).max(100).optional(),
    labels: z.record(z.string(), z.string()).default({}),
    taints: z.array(ZTaint).default([]),
  })
  .refine((p) => p.minCount === undefined || p.minCount <= p.count, {
    message: "minCount cannot be above count",
    path: ["minCount"],
  })
  .refine((p) => p.maxCount === undefined || p.maxCount >= p.count, {
    message: "maxCount cannot be below count",
    path: ["maxCount"],
  });
export type TNodePoolInput = z.infer<typeof ZNodePoolInput>;

const uniquePools = (pools: { name: string }[]) => new Set(pools.map((p) => p.name)).size === pools.length;

export const ZCreateClusterInput = z.object({
  name: dnsLabel("Cluster name"),
  region: z
    .enum(REGIONS.map((r) => r.name) as [string, ...string[]], {
      error: `region must be one of ${REGIONS.map((r) => r.name).join(", ")}`,
    })
    .default(DEFAULT_REGION),
  version: z
    .enum(VERSIONS.map((v) => v.version) as [string, ...string[]], {
      error: `version must be one of ${VERSIONS.map((v) => v.version).join(", ")}`,
    })
    .default(DEFAULT_VERSION),
  haControlPlane: z.boolean().default(false),
  nodePools: z
    .array(ZNodePoolInput)
    .min(1, "At least one node pool is required")
    .max(10)
    .refine(uniquePools, "Node pool names must be unique"),
});
export type TCreateClusterInput = z.infer<typeof ZCreateClusterInput>;

export const ZEstimateInput = z.object({
  haControlPlane: z.boolean().default(false),
  nodePools: z.array(ZNodePoolInput).max(10),
});

export const ZClusterIdInput = z.object({ id: z.string().min(1, "id is required") });

export const ZUpdateClusterInput = z
  .object({
    id: z.string().min(1, "id is required"),
    /** The full desired set of node pools: new names are added, missing ones removed, others resized. */
    nodePools: z.array(ZNodePoolInput).min(1).max(10).refine(uniquePools, "Node pool names must be unique").optional(),
    version: z
      .enum(VERSIONS.map((v) => v.version) as [string, ...string[]], {
        error: `version must be one of ${VERSIONS.map((v) => v.version).join(", ")}`,
      })
      .optional(),
    haControlPlane: z.boolean().optional(),
  })
  .refine((u) => u.nodePools !== undefined || u.version !== undefined || u.haControlPlane !== undefined, {
    message: "Nothing to change: give nodePools, version or haControlPlane",
  });
export type TUpdateClusterInput = z.infer<typeof ZUpdateClusterInput>;

export const ZDeleteClusterInput = z.object({
  id: z.string().min(1, "id is required"),
  confirmName: z.string({ error: "confirmName is required" }).min(1, "Type the cluster name to confirm"),
});

export const ZKubeconfigInput = z.object({
  id: z.string().min(1, "id is required"),
  ttlHours: z.coerce
    .number({ error: "ttlHours must be a number" })
    .int("ttlHours must be a whole number of hours")
    .min(1, "ttlHours must be at least 1")
    .max(720, "ttlHours must be at most 720 (30 days)")
    .default(24),
  /** Tests only (NUAGE_TEST_MIN_CREDENTIAL_SECONDS): a lifetime in seconds below an hour. */
  ttlSeconds: z.number().int().min(1).optional(),
});
