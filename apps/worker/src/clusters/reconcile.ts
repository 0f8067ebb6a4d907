// Reconcile: compares desired state (rows) with what the provider holds. A VM that vanished or
// whose node stayed NotReady is replaced; an orphan (a VM or control plane of Nuage's whose
// cluster is gone) is removed. Drift is recorded as ClusterEvent rows.
import { getDb, inOrg, orgWhere } from "@nuage/db";
import type { Cluster } from "@nuage/db/types";
import { getProvider } from "@nuage/providers";

const NOT_READY_GRACE_MS = Number(process.env.NUAGE_NOT_READY_GRACE_MS) || 120_000;
const notReadySince = new Map<string, number>();

async function event(orgId: string, clusterId: string, level: string, reason: string, message: string) {
  await getDb().clusterEvent.create({ data: { orgId, clusterId, level, reason, message } });
}

export async function reconcileAll(): Promise<{ clusters: number; replaced: number; orphans: number }> {
  const db = getDb();
  let replaced = 0;
  let orphans = 0;
  // Only clusters at rest: operations own the clusters they are changing.
  const clusters = await db.cluster.findMany({ where: { deletedAt: null, status: { in: ["running", "degraded"] } } });
  for (const c of clusters) {
    try {
      const r = await reconcileCluster(c);
      replaced += r.replaced;
      orphans += r.orphans;
    } catch (e) {
      // One unreachable cluster does not stop the others; the next pass tries again.
      console.warn(`[worker] reconcile of cluster ${c.id} failed: ${(e as Error).message}`);
    }
  }
  return finishReconcile(clusters.length, replaced, orphans);
}

async function reconcileCluster(c: Cluster): Promise<{ replaced: number; orphans: number }> {
  const db = getDb();
  const provider = getProvider();
  let replaced = 0;
  let orphans = 0;
  {
    const busy = await db.operation.findFirst({
      where: orgWhere(c.orgId, {
        clusterId: c.id,
        status: { in: ["pending", "running"] as ("pending" | "running")[] },
      }),
    });
    if (busy) return { replaced, orphans };
    // A cluster this provider does not host (another installation's, or a test's) is not ours to fix.
    if (!(await provider.getControlPlane(c.id))) return { replaced, orphans };
    const nodes = await db.clusterNode.findMany({
      where: orgWhere(c.orgId, { clusterId: c.id, deletedAt: null, status: "ready" as const }),
    });
    const machines = await provider.listMachines({ clusterId: c.id });
    const byId = new Map(machines.map((m) => [m.id, m]));
    let degraded = false;
    for (const n of nodes) {
      const m = byId.get(n.id);
      if (m?.ready) {
        notReadySince.delete(n.id);
        continue;
      }
      const since = notReadySince.get(n.id) ?? Date.now();
      notReadySince.set(n.id, since);
      if (m && Date.now() - since < NOT_READY_GRACE_MS) {
        degraded = true;
        continue;
      }
      // Gone, or NotReady too long: recreate the VM under the same id (the node re-joins).
      if (m) await provider.deleteMachine(n.id);
      await provider.ensureMachine({ id: n.id, name: n.name, clusterId: c.id, flavor: n.flavor });
      notReadySince.delete(n.id);
      replaced++;
      degraded = true;
      await event(
        c.orgId,
        c.id,
        "warning",
        m ? "NodeRecreated" : "MachineReplaced",
        m
          ? `Node ${n.name} stayed NotReady; its VM was recreated`
          : `The VM of node ${n.name} was missing; it was replaced`,
      );
    }
    const known = new Set(
      (
        await db.clusterNode.findMany({
          where: orgWhere(c.orgId, { clusterId: c.id, deletedAt: null }),
          select: { id: true },
        })
      ).map((n) => n.id),
    );
    for (const m of machines) {
      if (known.has(m.id)) continue;
      // VMs localcloud made for its own purposes carry no Nuage node row only if Nuage made them: ours start with "n".
      if (!/^n[0-9a-f]{24}$/.test(m.id)) continue;
      await provider.deleteMachine(m.id);
      orphans++;
      await event(c.orgId, c.id, "warning", "OrphanRemoved", `VM ${m.name} had no node behind it; it was removed`);
    }
    const status = degraded ? "degraded" : "running";
    if (status !== c.status) await db.cluster.update({ where: inOrg(c.orgId, c.id), data: { status } });
  }
  return { replaced, orphans };
}

async function finishReconcile(clusters: number, replaced: number, orphans: number) {
  const db = getDb();
  const provider = getProvider();
  // Control planes whose cluster was deleted (a delete that lost its way): remove them.
  const cps = await provider.listControlPlanes();
  if (cps.length) {
    const gone = await db.cluster.findMany({
      where: { id: { in: cps.map((p) => p.id) }, status: "deleted" },
      select: { id: true, orgId: true, name: true },
    });
    for (const g of gone) {
      await provider.deleteControlPlane(g.id);
      orphans++;
      await event(
        g.orgId,
        g.id,
        "warning",
        "OrphanRemoved",
        `The control plane of deleted cluster ${g.name} was removed`,
      );
    }
  }
  return { clusters, replaced, orphans };
}
