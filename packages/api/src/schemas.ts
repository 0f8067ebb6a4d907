// Output schemas shared by the routers (needed for the OpenAPI document).
import { ROLES } from "@nuage/core";
import { z } from "zod";

export const zDate = z.date().meta({ type: "string", format: "date-time" });
export const ZRoleOut = z.enum(ROLES);

export const ZOrgSummary = z.object({ id: z.string(), name: z.string(), role: ZRoleOut });

export const ZMeOutput = z.object({
  user: z.object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    emailVerified: z.boolean(),
    isPlatformAdmin: z.boolean(),
  }),
  orgs: z.array(ZOrgSummary),
  currentOrg: ZOrgSummary.nullable(),
  /** Set when the caller is an API token (REST); `user` is then the token's creator. */
  token: z.object({ id: z.string(), name: z.string(), scope: z.enum(["read", "write"]) }).nullable(),
});

export const ZOrgOutput = z.object({ id: z.string(), name: z.string(), role: ZRoleOut, createdAt: zDate });

export const ZMemberOutput = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  role: ZRoleOut,
  joinedAt: zDate,
});

export const ZApiTokenOutput = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scope: z.enum(["read", "write"]),
  expiresAt: zDate.nullable(),
  lastUsedAt: zDate.nullable(),
  revokedAt: zDate.nullable(),
  createdAt: zDate,
});

export const ZAuditItem = z.object({
  id: z.string(),
  action: z.string(),
  actorType: z.string(),
  actorUserId: z.string().nullable(),
  actorEmail: z.string().nullable(),
  actorTokenId: z.string().nullable(),
  actorTokenName: z.string().nullable(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  ip: z.string().nullable(),
  createdAt: zDate,
});

export const ZInvitationOutput = z.object({
  id: z.string(),
  email: z.string(),
  role: ZRoleOut,
  status: z.enum(["valid", "expired", "revoked", "accepted"]),
  expiresAt: zDate,
  createdAt: zDate,
});
