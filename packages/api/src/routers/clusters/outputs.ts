// Output schemas of the cluster procedures (for the OpenAPI document and typed clients).
import { z } from "zod";
import { zDate } from "../../schemas.ts";

export const ZRegionOutput = z.object({ name: z.string(), displayName: z.string(), zones: z.array(z.string()) });
export const ZFlavorOutput = z.object({
  name: z.string(),
  vcpus: z.number(),
  memoryMiB: z.number(),
  diskGiB: z.number(),
  /** vCPUs × the vCPU-hour price + GiB × the memory GiB-hour price of the org's plan, in micro-cents (exact). */
  priceMicroHourly: z.number().int(),
  /** The same rounded half up to a whole cent. */
  priceCentsHourly: z.number().int(),
  currency: z.string(),
  priceVersion: z.number().int(),
  plan: z.string(),
});
export const ZVersionOutput = z.object({ version: z.string(), patch: z.string(), isDefault: z.boolean() });

export const ZEstimateOutput = z.object({
  priceVersion: z.number().int(),
  plan: z.string(),
  planLabel: z.string(),
  currency: z.string(),
  hourlyMicro: z.number().int(),
  hourlyCents: z.number().int(),
  monthlyBeforeIncludedCents: z.number().int(),
  includedCents: z.number().int(),
  monthlyCents: z.number().int(),
  vcpus: z.number().int(),
  memoryMiB: z.number().int(),
  nodes: z.number().int(),
  lines: z.array(
    z.object({
      item: z.string(),
      label: z.string(),
      unit: z.string(),
      quantity: z.number(),
      unitPriceMicro: z.number().int(),
      hourlyMicro: z.number().int(),
      monthlyQuantity: z.number(),
      includedQuantity: z.number(),
      monthlyCents: z.number().int(),
    }),
  ),
  onUse: z.array(
    z.object({
      item: z.string(),
      label: z.string(),
      unit: z.string(),
      unitPriceMicro: z.number().int(),
      includedQuantity: z.number(),
    }),
  ),
});

export const ZClusterStatus = z.enum([
  "provisioning",
  "running",
  "updating",
  "degraded",
  "deleting",
  "deleted",
  "error",
]);

export const ZStepOutput = z.object({
  id: z.string(),
  position: z.number().int(),
  name: z.string(),
  title: z.string(),
  status: z.enum(["pending", "running", "succeeded", "failed"]),
  detail: z.string().nullable(),
  startedAt: zDate.nullable(),
  finishedAt: zDate.nullable(),
});

export const ZOperationOutput = z.object({
  id: z.string(),
  clusterId: z.string(),
  type: z.enum(["create", "update", "upgrade", "delete"]),
  status: z.enum(["pending", "running", "succeeded", "failed"]),
  error: z.string().nullable(),
  attempts: z.number().int(),
  report: z.record(z.string(), z.number()).nullable(),
  createdAt: zDate,
  startedAt: zDate.nullable(),
  finishedAt: zDate.nullable(),
  steps: z.array(ZStepOutput),
});

export const ZNodePoolOutput = z.object({
  id: z.string(),
  name: z.string(),
  flavor: z.string(),
  count: z.number().int(),
  minCount: z.number().int(),
  maxCount: z.number().int(),
  labels: z.record(z.string(), z.string()),
  taints: z.array(z.object({ key: z.string(), value: z.string().optional(), effect: z.string() })),
});

export const ZNodeOutput = z.object({
  id: z.string(),
  name: z.string(),
  poolId: z.string(),
  flavor: z.string(),
  version: z.string(),
  status: z.enum(["creating", "ready", "draining", "deleting", "deleted"]),
});

export const ZClusterOutput = z.object({
  id: z.string(),
  name: z.string(),
  region: z.string(),
  version: z.string(),
  haControlPlane: z.boolean(),
  status: ZClusterStatus,
  statusMessage: z.string().nullable(),
  endpoint: z.string().nullable(),
  nodeCount: z.number().int(),
  readyNodeCount: z.number().int(),
  vcpus: z.number().int(),
  memoryMiB: z.number().int(),
  nodePools: z.array(ZNodePoolOutput),
  nodes: z.array(ZNodeOutput),
  createdAt: zDate,
  updatedAt: zDate,
  deletedAt: zDate.nullable(),
  currentOperation: ZOperationOutput.nullable(),
});

export const ZEventOutput = z.object({
  id: z.string(),
  level: z.string(),
  reason: z.string(),
  message: z.string(),
  createdAt: zDate,
});

export const ZCredentialOutput = z.object({
  id: z.string(),
  clusterId: z.string(),
  userId: z.string().nullable(),
  subject: z.string(),
  groups: z.array(z.string()),
  serial: z.string(),
  issuedAt: zDate,
  expiresAt: zDate,
  revokedAt: zDate.nullable(),
  status: z.enum(["active", "expired", "revoked"]),
});

export const ZKubeconfigOutput = z.object({ kubeconfig: z.string(), credential: ZCredentialOutput });
