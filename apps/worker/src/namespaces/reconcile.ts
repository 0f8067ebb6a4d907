// Reconcile (repeatable): on every running cluster that has managed namespace objects, apply what
// is pending or failed, and compare what is synced with the cluster — a managed object changed or
// deleted with kubectl is restored and recorded as a ClusterEvent. Objects without Nuage's
// managed-by label are never touched.
import { SYNCABLE_CLUSTER } from "@nuage/core";
import { getDb } from "@nuage/db";
import { getProvider } from "@nuage/providers";
import { syncObject } from "./sync.ts";

const hosted = new Map<string, { yes: boolean; until: number }>();

/** Whether this installation's provider hosts the cluster (tests share one database). */
async function hostedHere(clusterId: string): Promise<boolean> {
  const h = hosted.get(clusterId);
  if (h && h.until > Date.now()) return h.yes;
  let yes = false;
  try {
    yes = !!(await getProvider().getControlPlane(clusterId));
  } catch {
    yes = false;
  }
  hosted.set(clusterId, { yes, until: Date.now() + 60_000 });
  return yes;
}

export async function reconcileNamespaces(): Promise<{
  clusters: number;
  applied: number;
  checked: number;
  failed: number;
}> {
  const db = getDb();
  const clusters = await db.cluster.findMany({
    where: { deletedAt: null, status: { in: [...SYNCABLE_CLUSTER] }, namespaces: { some: {} } },
    select: { id: true, orgId: true },
  });
  let applied = 0;
  let checked = 0;
  let failed = 0;
  for (const c of clusters) {
    if (!(await hostedHere(c.id))) continue;
    const namespaces = await db.namespace.findMany({
      where: { orgId: c.orgId, clusterId: c.id },
      include: { items: true, grants: true },
      orderBy: { createdAt: "asc" },
    });
    const objects: { type: "namespace" | "item" | "grant"; id: string; drift: boolean }[] = [];
    for (const n of namespaces) {
      objects.push({
        type: "namespace",
        id: n.id,
        drift: n.syncStatus === "synced" && n.syncedGeneration === n.generation && !n.deletingAt,
      });
      if (n.deletingAt) continue;
      for (const i of n.items)
        objects.push({
          type: "item",
          id: i.id,
          drift: i.syncStatus === "synced" && i.syncedGeneration === i.generation && !i.deletingAt,
        });
      for (const g of n.grants)
        objects.push({
          type: "grant",
          id: g.id,
          drift: g.syncStatus === "synced" && g.syncedGeneration === g.generation && !g.deletingAt,
        });
    }
    for (const o of objects) {
      try {
        await syncObject(o.type, o.id, { drift: o.drift });
        if (o.drift) checked++;
        else applied++;
      } catch (e) {
        failed++;
        console.warn(`[worker] namespace reconcile of ${o.type} ${o.id} failed: ${(e as Error).message.slice(0, 200)}`);
      }
    }
  }
  return { clusters: clusters.length, applied, checked, failed };
}
