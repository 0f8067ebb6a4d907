import { getDb, inOrg, orgWhere } from "@nuage/db";
import type { ApiToken, TokenScope } from "@nuage/db/types";
import { actorUserId, type OrgScope } from "./actor.ts";
import { audit } from "./audit.ts";
import { AppError } from "./errors.ts";
import * as rl from "./ratelimit.ts";
import { requireRole } from "./roles.ts";
import { hashToken, randomToken } from "./secrets.ts";
import { mutate } from "./tx.ts";

export const TOKEN_PREFIX = "nuage_";

function view(t: Omit<ApiToken, "tokenHash">) {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    scope: t.scope,
    expiresAt: t.expiresAt,
    lastUsedAt: t.lastUsedAt,
    revokedAt: t.revokedAt,
    createdAt: t.createdAt,
  };
}
export type ApiTokenView = ReturnType<typeof view>;

export async function listApiTokens(orgId: string) {
  const rows = await getDb().apiToken.findMany({ where: orgWhere(orgId), orderBy: { createdAt: "desc" }, take: 500 });
  return rows.map(view);
}

/** Creates a token; the raw value is returned once and only its hash is stored. */
export async function createApiToken(
  scope: OrgScope,
  input: { name: string; scope: TokenScope; expiresAt?: Date | null },
  opts: { createdById?: string } = {},
): Promise<ApiTokenView & { token: string }> {
  requireRole(scope.role, "admin", "create API tokens");
  const name = input.name.trim();
  if (!name) throw new AppError("BAD_REQUEST", "Token name is required", { field: "name" });
  if (input.expiresAt && input.expiresAt <= new Date()) {
    throw new AppError("BAD_REQUEST", "Expiry must be in the future", { field: "expiresAt" });
  }
  const token = TOKEN_PREFIX + randomToken(32);
  const createdById =
    opts.createdById ??
    actorUserId(scope.actor) ??
    (scope.actor.type === "token" ? (scope.actor.createdById ?? null) : null);
  const row = await mutate(async (tx) => {
    const t = await tx.apiToken.create({
      data: {
        orgId: scope.orgId,
        name,
        prefix: token.slice(0, TOKEN_PREFIX.length + 6),
        tokenHash: hashToken(token),
        scope: input.scope,
        expiresAt: input.expiresAt ?? null,
        createdById,
      },
    });
    await audit(tx, scope.actor, {
      orgId: scope.orgId,
      action: "token.create",
      targetType: "api_token",
      targetId: t.id,
      metadata: { name, scope: input.scope },
    });
    return t;
  });
  return { ...view(row), token };
}

export async function revokeApiToken(scope: OrgScope, id: string) {
  requireRole(scope.role, "admin", "revoke API tokens");
  return mutate(async (tx) => {
    const t = await tx.apiToken.findFirst({ where: inOrg(scope.orgId, id) });
    if (!t) throw new AppError("NOT_FOUND", "API token not found");
    if (t.revokedAt) return view(t);
    const updated = await tx.apiToken.update({ where: inOrg(scope.orgId, id), data: { revokedAt: new Date() } });
    await audit(tx, scope.actor, { orgId: scope.orgId, action: "token.revoke", targetType: "api_token", targetId: id });
    return view(updated);
  });
}

export interface TokenPrincipal {
  tokenId: string;
  orgId: string;
  scope: TokenScope;
  name: string;
  createdById: string | null;
}

/**
 * Resolves a bearer token. Unknown, revoked and expired tokens each get their own 401 message;
 * failed attempts are rate limited per client address.
 */
export async function authenticateApiToken(raw: string, meta: { ip?: string | null } = {}): Promise<TokenPrincipal> {
  const ip = meta.ip || "unknown";
  await rl.check("token", ip);
  const failWith = async (message: string) => {
    await rl.fail("token", ip);
    return new AppError("UNAUTHORIZED", message);
  };
  if (!raw.startsWith(TOKEN_PREFIX)) throw await failWith("Invalid API token: Nuage tokens start with nuage_");
  const t = await getDb().apiToken.findUnique({ where: { tokenHash: hashToken(raw) } });
  if (!t) throw await failWith("Unknown API token");
  if (t.revokedAt) throw await failWith("This API token was revoked");
  if (t.expiresAt && t.expiresAt <= new Date()) {
    throw await failWith(`This API token expired on ${t.expiresAt.toISOString()}`);
  }
  // Last-used time, written at most once a minute per token.
  if (!t.lastUsedAt || Date.now() - t.lastUsedAt.getTime() > 60_000) {
    await getDb().apiToken.update({ where: { id: t.id }, data: { lastUsedAt: new Date() } });
  }
  return { tokenId: t.id, orgId: t.orgId, scope: t.scope, name: t.name, createdById: t.createdById };
}
