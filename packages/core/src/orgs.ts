import { getDb } from "@nuage/db";
import type { Role } from "@nuage/db/types";
import type { OrgScope } from "./actor.ts";
import { audit } from "./audit.ts";
import { AppError } from "./errors.ts";
import { requireRole } from "./roles.ts";
import { ZOrgName } from "./schemas.ts";
import { mutate } from "./tx.ts";

export interface OrgMembershipView {
  id: string;
  name: string;
  role: Role;
}

/** The user's organizations, oldest membership first. */
export async function listUserOrgs(userId: string): Promise<OrgMembershipView[]> {
  const rows = await getDb().membership.findMany({
    where: { userId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    include: { org: { select: { id: true, name: true } } },
  });
  return rows.map((m) => ({ id: m.org.id, name: m.org.name, role: m.role }));
}

/**
 * The org a session acts in: the requested one (header or cookie) when the user is a member,
 * otherwise the oldest membership. An explicit request for an org the user is not in is refused
 * (`strict`, the header) or ignored (the cookie may be stale).
 */
export async function resolveUserOrg(
  userId: string,
  requested: { orgId?: string | null; strict?: boolean },
): Promise<OrgMembershipView | null> {
  const orgs = await listUserOrgs(userId);
  if (requested.orgId) {
    const hit = orgs.find((o) => o.id === requested.orgId);
    if (hit) return hit;
    if (requested.strict) throw new AppError("NOT_FOUND", "Organization not found");
  }
  return orgs[0] ?? null;
}

export async function getOrg(orgId: string) {
  const org = await getDb().org.findUnique({ where: { id: orgId }, select: { id: true, name: true, createdAt: true } });
  if (!org) throw new AppError("NOT_FOUND", "Organization not found");
  return org;
}

export async function createOrg(userId: string, name: string, meta: { ip?: string | null } = {}) {
  const orgName = ZOrgName.parse(name);
  return mutate(async (tx) => {
    const org = await tx.org.create({ data: { name: orgName } });
    await tx.membership.create({ data: { orgId: org.id, userId, role: "owner" } });
    await audit(
      tx,
      { type: "user", userId, ip: meta.ip },
      { orgId: org.id, action: "org.create", targetType: "org", targetId: org.id },
    );
    return { id: org.id, name: org.name, role: "owner" as Role };
  });
}

export async function updateOrg(scope: OrgScope, input: { name: string }) {
  requireRole(scope.role, "admin", "rename the organization");
  const name = ZOrgName.parse(input.name);
  return mutate(async (tx) => {
    const org = await tx.org.update({
      where: { id: scope.orgId },
      data: { name },
      select: { id: true, name: true, createdAt: true },
    });
    await audit(tx, scope.actor, {
      orgId: scope.orgId,
      action: "org.update",
      targetType: "org",
      targetId: org.id,
      metadata: { name },
    });
    return org;
  });
}
