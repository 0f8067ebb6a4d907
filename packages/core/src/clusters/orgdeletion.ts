// Deleting an organization: its clusters go first (one delete operation each, so the provider's
// VMs, volumes, load balancers and control planes are removed by the same crash-safe steps as a
// tenant's own delete), then the org row is soft-deleted (`deletedAt`) once none is left.
import { getDb, inOrg, orgWhere } from "@nuage/db";
import type { Actor } from "../actor.ts";
import { audit } from "../audit.ts";
import { AppError } from "../errors.ts";
import { lockOrg, mutate } from "../tx.ts";
import { ACTIVE_STATUSES, enqueueOperation, recordOperation } from "./operations.ts";

export interface OrgDeletionView {
  orgId: string;
  deletingAt: Date;
  deletedAt: Date | null;
  /** Clusters whose delete operation was enqueued by this call (or is already running). */
  clustersDeleting: number;
}

/**
 * Starts deleting an org: marks it `deletingAt` (no new cluster can be created from then on),
 * records a delete operation for every cluster not yet deleted (cancelling whatever was in
 * flight), and soft-deletes the org at once when it has no cluster. Idempotent: calling it again
 * re-enqueues the pending deletes and changes nothing else. Authorization is the caller's (an
 * operator in /admin, or the org's owner).
 */
export async function requestOrgDeletion(orgId: string, actor: Actor): Promise<OrgDeletionView> {
  const ops: string[] = [];
  const view = await mutate(async (tx, after) => {
    await lockOrg(tx, orgId);
    const org = await tx.org.findUnique({ where: { id: orgId } });
    if (!org) throw new AppError("NOT_FOUND", "Organization not found");
    if (org.deletedAt) {
      return { orgId, deletingAt: org.deletingAt ?? org.deletedAt, deletedAt: org.deletedAt, clustersDeleting: 0 };
    }
    const deletingAt = org.deletingAt ?? new Date();
    if (!org.deletingAt) await tx.org.update({ where: { id: orgId }, data: { deletingAt } });
    const clusters = await tx.cluster.findMany({ where: orgWhere(orgId, { deletedAt: null }) });
    const scope = { orgId, role: "owner" as const, actor };
    for (const c of clusters) {
      const running = await tx.operation.findFirst({
        where: orgWhere(orgId, { clusterId: c.id, type: "delete" as const, status: { in: ACTIVE_STATUSES } }),
      });
      if (running) {
        ops.push(running.id);
        continue;
      }
      await tx.operation.updateMany({
        where: orgWhere(orgId, { clusterId: c.id, status: { in: ACTIVE_STATUSES } }),
        data: { status: "failed", error: "Cancelled: the organization is being deleted", finishedAt: new Date() },
      });
      await tx.cluster.update({ where: inOrg(orgId, c.id), data: { status: "deleting", statusMessage: null } });
      const op = await recordOperation(tx, scope, { clusterId: c.id, type: "delete" });
      ops.push(op.id);
    }
    let deletedAt: Date | null = null;
    if (!clusters.length) {
      deletedAt = new Date();
      await tx.org.update({ where: { id: orgId }, data: { deletedAt } });
    }
    if (!org.deletingAt) {
      await audit(tx, actor, {
        orgId,
        action: "org.delete",
        targetType: "org",
        targetId: orgId,
        metadata: { name: org.name, clusters: clusters.length },
      });
    }
    after(async () => {
      for (const id of ops) await enqueueOperation(id);
    });
    return { orgId, deletingAt, deletedAt, clustersDeleting: ops.length };
  });
  return view;
}

/**
 * Called by the worker after a cluster delete finished (and by reconcile, for one that crashed in
 * between): soft-deletes the org once it is being deleted and none of its clusters is left.
 * Returns true when it marked the org deleted.
 */
export async function finishOrgDeletion(orgId: string): Promise<boolean> {
  const r = await getDb().org.updateMany({
    where: { id: orgId, deletingAt: { not: null }, deletedAt: null, clusters: { none: { deletedAt: null } } },
    data: { deletedAt: new Date() },
  });
  return r.count > 0;
}

/** Orgs being deleted whose clusters are all gone (reconcile's catch-up). */
export async function finishPendingOrgDeletions(): Promise<number> {
  const r = await getDb().org.updateMany({
    where: { deletingAt: { not: null }, deletedAt: null, clusters: { none: { deletedAt: null } } },
    data: { deletedAt: new Date() },
  });
  return r.count;
}
