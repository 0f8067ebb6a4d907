// Output schemas of the namespace procedures (OpenAPI document, typed clients).
import { QUOTA_RESOURCES } from "@nuage/core";
import { z } from "zod";
import { zDate } from "../../schemas.ts";

const ZSync = {
  version: z.number().int(),
  syncStatus: z.enum(["pending", "syncing", "synced", "error"]),
  syncMessage: z.string().nullable(),
  syncedAt: zDate.nullable(),
  deleting: z.boolean(),
};

const ZStrings = z.record(z.string(), z.string());
export const ZQuotaOutput = z.partialRecord(z.enum(QUOTA_RESOURCES), z.string());
export const ZLimitsOutput = z.object({
  defaultRequest: z.object({ cpu: z.string().optional(), memory: z.string().optional() }).optional(),
  default: z.object({ cpu: z.string().optional(), memory: z.string().optional() }).optional(),
});

export const ZNamespaceOutput = z.object({
  id: z.string(),
  clusterId: z.string(),
  name: z.string(),
  labels: ZStrings,
  template: z.string(),
  quota: ZQuotaOutput,
  limits: ZLimitsOutput,
  protected: z.boolean(),
  ...ZSync,
  createdAt: zDate,
  updatedAt: zDate,
  counts: z.object({ secrets: z.number().int(), configMaps: z.number().int(), grants: z.number().int() }).nullable(),
});
export const ZNamespaceDetailOutput = ZNamespaceOutput.extend({
  myAccess: z.enum(["admin", "editor", "viewer"]).nullable(),
});

export const ZUsageOutput = z.object({
  live: z.boolean(),
  reason: z.string().nullable(),
  items: z.array(
    z.object({
      resource: z.string(),
      hard: z.string(),
      used: z.string().nullable(),
      hardUnits: z.number(),
      usedUnits: z.number().nullable(),
    }),
  ),
});

export const ZItemOutput = z.object({
  id: z.string(),
  namespaceId: z.string(),
  kind: z.enum(["secret", "configmap"]),
  name: z.string(),
  type: z.string(),
  keys: z.array(z.string()),
  size: z.number().int(),
  ...ZSync,
  createdAt: zDate,
  updatedAt: zDate,
  data: ZStrings.nullable(),
});

export const ZGrantOutput = z.object({
  id: z.string(),
  namespaceId: z.string(),
  userId: z.string(),
  email: z.string().nullable(),
  userName: z.string().nullable(),
  role: z.enum(["admin", "editor", "viewer"]),
  ...ZSync,
  createdAt: zDate,
});

export const ZTemplateOutput = z.object({
  id: z.string(),
  name: z.string(),
  quota: ZQuotaOutput,
  limits: ZLimitsOutput,
  updatedAt: zDate,
});

export const ZCapsOutput = z.object({
  maxCpu: z.string(),
  maxMemory: z.string(),
  maxStorage: z.string(),
  overcommitRatio: z.number(),
});
