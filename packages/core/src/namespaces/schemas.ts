// Zod inputs of the namespace procedures (tRPC, REST and the services share them).
import { z } from "zod";

export const QUOTA_RESOURCES = [
  "requests.cpu",
  "requests.memory",
  "limits.cpu",
  "limits.memory",
  "requests.storage",
  "persistentvolumeclaims",
  "pods",
  "services",
  "services.loadbalancers",
  "services.nodeports",
] as const;
export type QuotaResource = (typeof QUOTA_RESOURCES)[number];

export const RESERVED_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease"] as const;

/** RFC 1123 DNS label, as Kubernetes checks namespace names. */
export const ZDnsLabel = (what: string, max = 63) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .min(1, `${what} is required`)
    .max(max, `${what} is too long (${max} characters at most)`)
    .regex(
      /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
      `${what} must be a DNS label: lower-case letters, digits and '-', starting and ending with a letter or digit`,
    );

/** DNS subdomain (Secret/ConfigMap names). */
export const ZDnsSubdomain = (what: string) =>
  z
    .string({ error: `${what} is required` })
    .trim()
    .min(1, `${what} is required`)
    .max(253, `${what} is too long (253 characters at most)`)
    .regex(
      /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
      `${what} must be lower-case letters, digits, '-' and '.', starting and ending with a letter or digit`,
    );

const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

export const ZLabels = z
  .record(z.string(), z.string())
  .default({})
  .superRefine((labels, ctx) => {
    for (const [k, v] of Object.entries(labels)) {
      if (!LABEL_KEY.test(k) || k.length > 316)
        ctx.addIssue({ code: "custom", message: `label key "${k.slice(0, 60)}" is not a valid Kubernetes label key` });
      else if (
        k.startsWith("kubernetes.io/") ||
        k.startsWith("nuage.dev/") ||
        k.startsWith("app.kubernetes.io/managed-by")
      )
        ctx.addIssue({ code: "custom", message: `label key "${k}" is reserved for the platform` });
      if (!LABEL_VALUE.test(v))
        ctx.addIssue({
          code: "custom",
          message: `label value "${v.slice(0, 60)}" of "${k}" must be 63 characters at most: letters, digits, '-', '_', '.'`,
        });
    }
  });

const ZQuantityText = z.string().trim().min(1).max(40);

/** spec.hard of the ResourceQuota; every resource optional (unset = not limited). */
export const ZQuota = z.partialRecord(z.enum(QUOTA_RESOURCES), ZQuantityText);
export type TQuota = z.infer<typeof ZQuota>;

export const ZContainerDefaults = z.object({
  defaultRequest: z.object({ cpu: ZQuantityText.optional(), memory: ZQuantityText.optional() }).default({}),
  default: z.object({ cpu: ZQuantityText.optional(), memory: ZQuantityText.optional() }).default({}),
});
export type TContainerDefaults = z.infer<typeof ZContainerDefaults>;

export const ZCreateNamespaceInput = z.object({
  clusterId: z.string().min(1, "clusterId is required"),
  name: ZDnsLabel("Namespace name"),
  labels: ZLabels,
  /** A template name fills quota and limits; fields given here override it. */
  template: z.string().trim().max(40).default("custom"),
  quota: ZQuota.default({}),
  limits: ZContainerDefaults.optional(),
});
export type TCreateNamespaceInput = z.infer<typeof ZCreateNamespaceInput>;

export const ZUpdateNamespaceInput = z.object({
  id: z.string().min(1, "id is required"),
  labels: ZLabels.optional(),
  template: z.string().trim().max(40).optional(),
  quota: ZQuota.optional(),
  limits: ZContainerDefaults.optional(),
});
export type TUpdateNamespaceInput = z.infer<typeof ZUpdateNamespaceInput>;

export const ZTemplateInput = z.object({
  name: ZDnsLabel("Template name", 40),
  quota: ZQuota,
  limits: ZContainerDefaults,
});

const ZSecretKey = z
  .string()
  .min(1, "key is required")
  .max(253, "key is too long (253 characters at most)")
  .regex(/^[-._a-zA-Z0-9]+$/, "keys may contain letters, digits, '-', '_' and '.'");

const ZData = z.record(ZSecretKey, z.string()).refine((d) => Object.keys(d).length > 0, "add at least one key");

/** A secret's content by type: generic key/values, docker registry credentials, or TLS cert+key. */
export const ZSecretContent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("generic"), data: ZData }),
  z.object({
    type: z.literal("docker-registry"),
    server: z.string().trim().min(1, "server is required").max(253),
    username: z.string().min(1, "username is required").max(253),
    password: z.string().min(1, "password is required"),
    email: z.string().max(253).optional(),
  }),
  z.object({
    type: z.literal("tls"),
    cert: z.string().includes("-----BEGIN CERTIFICATE-----", { error: "cert must be a PEM certificate" }),
    key: z.string().regex(/-----BEGIN (RSA |EC )?PRIVATE KEY-----/, "key must be a PEM private key"),
  }),
]);
export type TSecretContent = z.infer<typeof ZSecretContent>;

export const ZCreateSecretInput = z.object({
  namespaceId: z.string().min(1, "namespaceId is required"),
  name: ZDnsSubdomain("Secret name"),
  content: ZSecretContent,
});
export const ZUpdateSecretInput = z.object({ id: z.string().min(1, "id is required"), content: ZSecretContent });

export const ZCreateConfigMapInput = z.object({
  namespaceId: z.string().min(1, "namespaceId is required"),
  name: ZDnsSubdomain("ConfigMap name"),
  data: ZData,
});
export const ZUpdateConfigMapInput = z.object({ id: z.string().min(1, "id is required"), data: ZData });

export const ZGrantInput = z.object({
  namespaceId: z.string().min(1, "namespaceId is required"),
  userId: z.string().min(1, "userId is required"),
  role: z.enum(["admin", "editor", "viewer"], { error: "role must be admin, editor or viewer" }),
});

/** 1 MiB, as upstream limits a Secret or ConfigMap. */
export const MAX_DATA_BYTES = 1024 * 1024;
