import { getDb, orgWhere, type Tx } from "@nuage/db";
import type { Role } from "@nuage/db/types";
import { actorUserId, type OrgScope } from "./actor.ts";
import { audit } from "./audit.ts";
import { AppError } from "./errors.ts";
import { requireRole } from "./roles.ts";
import { lockOrg, mutate } from "./tx.ts";

export async function listMembers(orgId: string) {
  const rows = await getDb().membership.findMany({
    where: orgWhere(orgId),
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    include: { user: { select: { id: true, email: true, name: true } } },
  });
  return rows.map((m) => ({
    userId: m.user.id,
    email: m.user.email,
    name: m.user.name,
    role: m.role,
    joinedAt: m.createdAt,
  }));
}

async function findMember(tx: Tx, orgId: string, userId: string) {
  const m = await tx.membership.findFirst({ where: orgWhere(orgId, { userId }) });
  if (!m) throw new AppError("NOT_FOUND", "Member not found");
  return m;
}

async function ownerCount(tx: Tx, orgId: string): Promise<number> {
  return tx.membership.count({ where: orgWhere(orgId, { role: "owner" as const }) });
}

export async function updateMemberRole(scope: OrgScope, input: { userId: string; role: Role }) {
  requireRole(scope.role, "admin", "change member roles");
  return mutate(async (tx) => {
    await lockOrg(tx, scope.orgId);
    const m = await findMember(tx, scope.orgId, input.userId);
    if ((m.role === "owner" || input.role === "owner") && scope.role !== "owner") {
      throw new AppError("FORBIDDEN", `Your role (${scope.role}) cannot change an owner's role or make someone owner`);
    }
    if (m.role === input.role) return { userId: m.userId, role: m.role };
    if (m.role === "owner" && (await ownerCount(tx, scope.orgId)) <= 1) {
      throw new AppError("BAD_REQUEST", "The last owner cannot be demoted: make another member owner first", {
        field: "role",
      });
    }
    const updated = await tx.membership.update({ where: { id: m.id, orgId: scope.orgId }, data: { role: input.role } });
    await audit(tx, scope.actor, {
      orgId: scope.orgId,
      action: "member.update_role",
      targetType: "user",
      targetId: m.userId,
      metadata: { from: m.role, to: input.role },
    });
    return { userId: updated.userId, role: updated.role };
  });
}

async function removeInTx(tx: Tx, scope: OrgScope, userId: string, action: string, lastOwnerMessage: string) {
  await lockOrg(tx, scope.orgId);
  const m = await findMember(tx, scope.orgId, userId);
  if (m.role === "owner" && (await ownerCount(tx, scope.orgId)) <= 1) {
    throw new AppError("BAD_REQUEST", lastOwnerMessage);
  }
  await tx.membership.delete({ where: { id: m.id, orgId: scope.orgId } });
  await audit(tx, scope.actor, { orgId: scope.orgId, action, targetType: "user", targetId: userId });
  return m;
}

export async function removeMember(scope: OrgScope, userId: string) {
  requireRole(scope.role, "admin", "remove members");
  return mutate(async (tx) => {
    const m = await tx.membership.findFirst({ where: orgWhere(scope.orgId, { userId }) });
    if (m?.role === "owner" && scope.role !== "owner") {
      throw new AppError("FORBIDDEN", `Your role (${scope.role}) cannot remove an owner`);
    }
    await removeInTx(
      tx,
      scope,
      userId,
      "member.remove",
      "The last owner cannot be removed: make another member owner first",
    );
    return { ok: true as const };
  });
}

export async function leaveOrg(scope: OrgScope) {
  const userId = actorUserId(scope.actor);
  if (!userId) throw new AppError("FORBIDDEN", "Only a signed-in user can leave an organization");
  return mutate(async (tx) => {
    await removeInTx(
      tx,
      scope,
      userId,
      "member.leave",
      "You are the last owner: make another member owner before leaving",
    );
    return { ok: true as const };
  });
}
