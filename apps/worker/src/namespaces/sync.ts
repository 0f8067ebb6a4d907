// Applies one desired object to its cluster and records the sync status. A cluster that is not
// running leaves the object `pending` with a message; the reconcile loop applies it later.
import { SYNCABLE_CLUSTER, waitingMessage } from "@nuage/core";
import { getDb } from "@nuage/db";
import type { Cluster, NamespaceGrant, NamespaceItem } from "@nuage/db/types";
import {
  ensureGrant,
  ensureItem,
  ensureNamespace,
  type Outcome,
  removeGrant,
  removeItem,
  removeNamespace,
  UnmanagedConflict,
} from "./apply.ts";
import { forgetCluster, kubeForCluster, kubeMessage, statusOf } from "./kube.ts";

export type SyncType = "namespace" | "item" | "grant";
type Row = { id: string; generation: number };

const model = (type: SyncType) =>
  ({ namespace: getDb().namespace, item: getDb().namespaceItem, grant: getDb().namespaceGrant })[type] as unknown as {
    updateMany(args: { where: object; data: object }): Promise<{ count: number }>;
    deleteMany(args: { where: object }): Promise<{ count: number }>;
  };

async function mark(type: SyncType, row: Row, data: object) {
  // Only for the generation this run applied: a newer change keeps its own status.
  await model(type).updateMany({ where: { id: row.id, generation: row.generation }, data });
}

export async function markSynced(type: SyncType, row: Row) {
  await mark(type, row, {
    syncStatus: "synced",
    syncMessage: null,
    syncedGeneration: row.generation,
    syncedAt: new Date(),
  });
}

async function event(c: Cluster, level: string, reason: string, message: string) {
  await getDb().clusterEvent.create({ data: { orgId: c.orgId, clusterId: c.id, level, reason, message } });
}

const describeOutcome = (what: string, o: Outcome) =>
  o === "created"
    ? `${what} was deleted in the cluster; restored`
    : `${what} was changed in the cluster; restored the platform's version`;

/** Loads the object with its namespace and cluster (all scoped by the row's org). */
async function load(type: SyncType, id: string) {
  const db = getDb();
  if (type === "namespace") {
    const ns = await db.namespace.findUnique({ where: { id } });
    if (!ns) return null;
    const cluster = await db.cluster.findFirst({ where: { id: ns.clusterId, orgId: ns.orgId } });
    return cluster ? { ns, cluster, row: ns } : null;
  }
  const row =
    type === "item"
      ? await db.namespaceItem.findUnique({ where: { id } })
      : await db.namespaceGrant.findUnique({ where: { id } });
  if (!row) return null;
  const ns = await db.namespace.findFirst({ where: { id: row.namespaceId, orgId: row.orgId } });
  if (!ns) return null;
  const cluster = await db.cluster.findFirst({ where: { id: ns.clusterId, orgId: ns.orgId } });
  return cluster ? { ns, cluster, row } : null;
}

/**
 * Converges one object. `drift` (reconcile of an already synced object) turns a create/replace
 * into a drift event. Returns what happened.
 */
export async function syncObject(type: SyncType, id: string, opts: { drift?: boolean } = {}): Promise<string> {
  const loaded = await load(type, id);
  if (!loaded) return "gone";
  const { ns, cluster, row } = loaded;
  if (cluster.deletedAt || cluster.status === "deleted" || cluster.status === "deleting") {
    // The cluster (and everything in it) is going away: nothing to apply.
    if (row.deletingAt) await model(type).deleteMany({ where: { id: row.id, generation: row.generation } });
    return "cluster-gone";
  }
  const waiting = waitingMessage(cluster.status);
  if (waiting) {
    await mark(type, row, { syncStatus: "pending", syncMessage: waiting });
    return "waiting";
  }
  if (!opts.drift) await mark(type, row, { syncStatus: "syncing" });
  try {
    const k = await kubeForCluster(cluster.id);
    if (type === "namespace") {
      if (ns.deletingAt) {
        await removeNamespace(k, ns);
        await getDb().namespace.deleteMany({ where: { id: ns.id, generation: ns.generation } });
        return "deleted";
      }
      const out = await ensureNamespace(k, ns);
      if (opts.drift) {
        for (const [part, o] of Object.entries(out)) {
          if (o === "unchanged") continue;
          const what =
            {
              namespace: `Namespace ${ns.name}`,
              quota: `ResourceQuota of ${ns.name}`,
              limits: `LimitRange of ${ns.name}`,
            }[part] ?? part;
          await event(cluster, "warning", "NamespaceDrift", describeOutcome(what, o));
        }
      }
      await markSynced(type, ns);
      return Object.values(out).join(",");
    }
    if (ns.deletingAt) return "namespace-deleting";
    // The namespace must exist first (a secret created right after its namespace).
    if (ns.syncedGeneration === 0 || !opts.drift) await ensureNamespace(k, ns);
    if (type === "item") {
      const item = row as NamespaceItem;
      if (item.deletingAt) {
        await removeItem(k, ns, item);
        await getDb().namespaceItem.deleteMany({ where: { id: item.id, generation: item.generation } });
        return "deleted";
      }
      const o = await ensureItem(k, ns, item);
      if (opts.drift && o !== "unchanged")
        await event(
          cluster,
          "warning",
          "NamespaceDrift",
          describeOutcome(`${item.kind === "secret" ? "Secret" : "ConfigMap"} ${ns.name}/${item.name}`, o),
        );
      await markSynced(type, item);
      return o;
    }
    const grant = row as NamespaceGrant;
    if (grant.deletingAt) {
      await removeGrant(k, ns, grant);
      await getDb().namespaceGrant.deleteMany({ where: { id: grant.id, generation: grant.generation } });
      return "deleted";
    }
    const user = await getDb().user.findUnique({ where: { id: grant.userId }, select: { email: true } });
    if (!user) {
      await mark(type, grant, { syncStatus: "error", syncMessage: "The user no longer exists" });
      return "no-user";
    }
    const o = await ensureGrant(k, ns, grant, user.email);
    if (opts.drift && o !== "unchanged")
      await event(cluster, "warning", "NamespaceDrift", describeOutcome(`Access of ${user.email} to ${ns.name}`, o));
    await markSynced(type, grant);
    return o;
  } catch (e) {
    if (statusOf(e) === 401) forgetCluster(cluster.id);
    const message =
      e instanceof UnmanagedConflict
        ? e.message
        : statusOf(e) !== undefined
          ? `The cluster refused the change: ${kubeMessage(e)}`.slice(0, 500)
          : `Could not reach the cluster or prepare the object (${(e as Error).name}); retrying`;
    await mark(type, row, { syncStatus: "error", syncMessage: message });
    throw e;
  }
}

export { SYNCABLE_CLUSTER };
