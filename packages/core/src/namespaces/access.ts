// Who sees which namespaces. Owners/admins (and API tokens) see every namespace of the org. A
// member or viewer with at least one namespace grant in a cluster is *scoped* there: they see
// only the granted namespaces (others are NOT_FOUND) and their kubeconfig carries no cluster-wide
// group. Members and viewers without grants keep their org-wide read access.
import { getDb } from "@nuage/db";
import type { NamespaceAccessRole } from "@nuage/db/types";
import type { OrgScope } from "../actor.ts";
import { AppError } from "../errors.ts";
import { roleAtLeast } from "../roles.ts";

export type NamespaceRight = "read" | "write" | "manage";

export interface ClusterAccess {
  scoped: boolean;
  /** namespaceId → role, when scoped. */
  grants: Map<string, NamespaceAccessRole>;
}

export async function clusterAccess(scope: OrgScope, clusterId: string): Promise<ClusterAccess> {
  if (scope.actor.type !== "user" || roleAtLeast(scope.role, "admin")) return { scoped: false, grants: new Map() };
  const rows = await getDb().namespaceGrant.findMany({
    where: { orgId: scope.orgId, userId: scope.actor.userId, deletingAt: null, namespace: { clusterId } },
    select: { namespaceId: true, role: true },
  });
  return { scoped: rows.length > 0, grants: new Map(rows.map((r) => [r.namespaceId, r.role])) };
}

/** Whether a user is scoped in a cluster (used for the kubeconfig's group). */
export async function isScopedIn(orgId: string, userId: string, clusterId: string): Promise<boolean> {
  const n = await getDb().namespaceGrant.count({
    where: { orgId, userId, deletingAt: null, namespace: { clusterId } },
  });
  return n > 0;
}

/**
 * Throws NOT_FOUND when the namespace is outside the caller's scope, FORBIDDEN when visible but the
 * right is missing. read: any org role but billing; write (secrets/configmaps): member+ or a
 * namespace admin/editor; manage (quota, labels, grants, delete): org admin+.
 */
export function assertNamespaceRight(
  scope: OrgScope,
  access: ClusterAccess,
  namespaceId: string,
  right: NamespaceRight,
  what: string,
) {
  if (scope.role === "billing") throw new AppError("FORBIDDEN", `Your role (billing) cannot ${what}`);
  if (access.scoped) {
    const g = access.grants.get(namespaceId);
    if (!g) throw new AppError("NOT_FOUND", "Namespace not found");
    if (right === "read") return;
    if (right === "write" && (g === "admin" || g === "editor") && scope.role !== "viewer") return;
    throw new AppError("FORBIDDEN", `Your access to this namespace (${g}) cannot ${what}`);
  }
  if (right === "read") return;
  if (right === "write" && roleAtLeast(scope.role, "member")) return;
  if (right === "manage" && roleAtLeast(scope.role, "admin")) return;
  throw new AppError("FORBIDDEN", `Your role (${scope.role}) cannot ${what}`);
}
