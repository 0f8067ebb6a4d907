// Scoped access: a member or viewer gets admin/editor/viewer rights in chosen namespaces only.
// In the cluster: a RoleBinding (ClusterRole admin/edit/view) per grant, managed by the worker;
// their kubeconfig then carries the group nuage:scoped, which has no cluster-wide binding.
import { getDb, inOrg, isUniqueViolation } from "@nuage/db";
import type { NamespaceGrant } from "@nuage/db/types";
import { getProvider } from "@nuage/providers";
import type { OrgScope } from "../actor.ts";
import { audit } from "../audit.ts";
import { AppError } from "../errors.ts";
import { mutate } from "../tx.ts";
import { loadNamespace } from "./namespaces.ts";
import { enqueueSync, syncView, waitingMessage } from "./sync.ts";

export const SCOPED_GROUP = "nuage:scoped";
export const GRANT_CLUSTER_ROLES = { admin: "admin", editor: "edit", viewer: "view" } as const;

export function grantView(g: NamespaceGrant & { user?: { email: string; name: string } | null }) {
  return {
    id: g.id,
    namespaceId: g.namespaceId,
    userId: g.userId,
    email: g.user?.email ?? null,
    userName: g.user?.name ?? null,
    role: g.role,
    ...syncView(g),
    createdAt: g.createdAt,
  };
}

export async function listGrants(scope: OrgScope, namespaceId: string) {
  const n = await loadNamespace(scope, namespaceId, "read", "read namespaces");
  const rows = await getDb().namespaceGrant.findMany({
    where: { orgId: scope.orgId, namespaceId: n.id },
    orderBy: { createdAt: "asc" },
  });
  const users = await getDb().user.findMany({
    where: { id: { in: rows.map((r) => r.userId) }, memberships: { some: { orgId: scope.orgId } } },
    select: { id: true, email: true, name: true },
  });
  const byId = new Map(users.map((u) => [u.id, u]));
  return rows.map((r) => grantView({ ...r, user: byId.get(r.userId) ?? null }));
}

export async function createGrant(
  scope: OrgScope,
  input: { namespaceId: string; userId: string; role: "admin" | "editor" | "viewer" },
) {
  const n = await loadNamespace(scope, input.namespaceId, "manage", "grant namespace access");
  if (n.deletingAt) throw new AppError("CONFLICT", "The namespace is being deleted");
  const db = getDb();
  const m = await db.membership.findFirst({
    where: { orgId: scope.orgId, userId: input.userId },
    include: { user: true },
  });
  if (!m) throw new AppError("NOT_FOUND", "userId: no such member in this organization", { field: "userId" });
  if (m.role !== "member" && m.role !== "viewer")
    throw new AppError(
      "BAD_REQUEST",
      `userId: ${m.user.email} is ${m.role === "billing" ? "a billing member (no cluster access)" : `an org ${m.role} with access to every namespace`}; scoped access is for members and viewers`,
      { field: "userId" },
    );
  if (m.role === "viewer" && input.role !== "viewer")
    throw new AppError("BAD_REQUEST", "role: an org viewer can only be a namespace viewer", { field: "role" });
  const cluster = await db.cluster.findFirstOrThrow({ where: inOrg(scope.orgId, n.clusterId) });
  let row: NamespaceGrant;
  try {
    row = await mutate(async (tx, after) => {
      const g = await tx.namespaceGrant.create({
        data: {
          orgId: scope.orgId,
          namespaceId: n.id,
          userId: m.userId,
          role: input.role,
          syncMessage: waitingMessage(cluster.status),
          createdById: scope.actor.type === "user" ? scope.actor.userId : null,
        },
      });
      await audit(tx, scope.actor, {
        orgId: scope.orgId,
        action: "namespace.grant.create",
        targetType: "namespace_grant",
        targetId: g.id,
        metadata: { namespace: n.name, user: m.user.email, role: input.role },
      });
      enqueueSync(after, "grant", g.id, g.generation);
      return g;
    });
  } catch (e) {
    if (isUniqueViolation(e))
      throw new AppError(
        "CONFLICT",
        `userId: ${m.user.email} already has access to ${n.name}; remove it to change the role`,
        {
          field: "userId",
        },
      );
    throw e;
  }
  // Kubeconfigs issued before the user became scoped carry the org-wide group: revoke them.
  const stale = await db.clusterCredential.findMany({
    where: {
      orgId: scope.orgId,
      clusterId: n.clusterId,
      userId: m.userId,
      revokedAt: null,
      expiresAt: { gt: new Date() },
      NOT: { groups: { has: SCOPED_GROUP } },
    },
  });
  for (const c of stale) {
    try {
      await getProvider().revokeCredential(c.clusterId, c.serial);
      await db.clusterCredential.updateMany({
        where: { id: c.id, orgId: scope.orgId },
        data: { revokedAt: new Date() },
      });
    } catch (e) {
      console.warn(`[nuage] could not revoke credential ${c.id}: ${(e as Error).message}`);
    }
  }
  return grantView({ ...row, user: { email: m.user.email, name: m.user.name } });
}

export async function deleteGrant(scope: OrgScope, id: string) {
  const g = await getDb().namespaceGrant.findFirst({ where: inOrg(scope.orgId, id) });
  if (!g) throw new AppError("NOT_FOUND", "Access grant not found");
  const n = await loadNamespace(scope, g.namespaceId, "manage", "remove namespace access");
  if (g.deletingAt) return grantView(g);
  const cluster = await getDb().cluster.findFirstOrThrow({ where: inOrg(scope.orgId, n.clusterId) });
  const row = await mutate(async (tx, after) => {
    const u = await tx.namespaceGrant.update({
      where: inOrg(scope.orgId, g.id),
      data: {
        deletingAt: new Date(),
        generation: { increment: 1 },
        syncStatus: "pending",
        syncMessage: waitingMessage(cluster.status),
      },
    });
    await audit(tx, scope.actor, {
      orgId: scope.orgId,
      action: "namespace.grant.delete",
      targetType: "namespace_grant",
      targetId: g.id,
      metadata: { namespace: n.name, userId: g.userId },
    });
    enqueueSync(after, "grant", u.id, u.generation);
    return u;
  });
  return grantView(row);
}
