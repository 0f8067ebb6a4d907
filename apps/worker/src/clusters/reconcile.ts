// Reconcile: compares desired state (rows) with what the provider holds. A VM that vanished or
// whose node stayed NotReady is replaced; an orphan (a VM or control plane of Nuage's whose
// cluster is gone) is removed. Drift is recorded as ClusterEvent rows.
import { finishPendingOrgDeletions } from "@nuage/core";
import { getDb, inOrg, orgWhere } from "@nuage/db";
import type { Cluster, NodePool } from "@nuage/db/types";
import { getProvider } from "@nuage/providers";
import { adminClients, applyPoolToNode, type KubeClients } from "./kube.ts";
import { machineSpec } from "./nodes.ts";

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
      where: orgWhere(c.orgId, {
        clusterId: c.id,
        deletedAt: null,
        status: { in: ["ready", "creating"] as ("ready" | "creating")[] },
      }),
    });
    const pools = new Map(
      (await db.nodePool.findMany({ where: orgWhere(c.orgId, { clusterId: c.id }) })).map((p) => [p.id, p]),
    );
    const machines = await provider.listMachines({ clusterId: c.id });
    const byId = new Map(machines.map((m) => [m.id, m]));
    let kube: KubeClients | undefined;
    let degraded = false;
    for (const n of nodes) {
      const m = byId.get(n.id);
      const pool = pools.get(n.poolId);
      if (m?.ready) {
        notReadySince.delete(n.id);
        if (n.status === "creating") {
          // Recreated by an earlier pass: its pool's labels and taints go back on the Node, then it counts again.
          kube ??= await adminClients(provider, c.id);
          const done = await reapplyPool(kube, n.name, pool);
          if (done)
            await db.clusterNode.updateMany({ where: orgWhere(c.orgId, { id: n.id }), data: { status: "ready" } });
          else degraded = true;
        }
        continue;
      }
      const since = notReadySince.get(n.id) ?? Date.now();
      notReadySince.set(n.id, since);
      // A VM whose host is down will not come back by itself: replace it without waiting out the grace.
      if (m && m.status !== "host-down" && (n.status === "creating" || Date.now() - since < NOT_READY_GRACE_MS)) {
        degraded = true;
        continue;
      }
      // Gone, or NotReady too long: recreate the VM under the same id (the node re-joins), with the
      // pool's labels; the row is `creating` until the Node has its pool's labels and taints again.
      if (m) await provider.deleteMachine(n.id);
      await provider.ensureMachine(machineSpec(c.id, n, pool));
      await db.clusterNode.updateMany({ where: orgWhere(c.orgId, { id: n.id }), data: { status: "creating" } });
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

/** Puts the pool's labels and taints back on a recreated node; false while it has not registered. */
async function reapplyPool(k: KubeClients, node: string, pool: NodePool | undefined): Promise<boolean> {
  if (!pool) return true;
  try {
    await applyPoolToNode(
      k,
      node,
      pool.labels as Record<string, string>,
      pool.taints as { key: string; value?: string; effect: string }[],
      pool.name,
    );
    return true;
  } catch (e) {
    if ((e as { code?: number }).code === 404) return false;
    throw e;
  }
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
  // An org whose last cluster was deleted by a worker that died before marking the org.
  await finishPendingOrgDeletions();
  return { clusters, replaced, orphans };
}
