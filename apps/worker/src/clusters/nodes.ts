// Node pools → machines: create what is missing, drain and remove what is extra. Every action is
// keyed by the node row's id (the VM id), so a step killed at any line and run again converges.
import { randomBytes } from "node:crypto";
import { getDb, orgWhere } from "@nuage/db";
import type { ClusterNode, NodePool } from "@nuage/db/types";
import type { MachineSpec } from "@nuage/providers";
import { type StepContext, StepError, waitFor } from "./context.ts";
import { applyPoolToNode, deleteNodeObject, drainNode, kubeFor } from "./kube.ts";

const NODE_READY_TIMEOUT_MS = Number(process.env.NUAGE_NODE_READY_TIMEOUT_MS) || 180_000;

function nodeName(pool: NodePool, id: string): string {
  return `${pool.name.slice(0, 40)}-${id.slice(-8)}`;
}

/** What the provider is asked for a node: the pool's flavor and labels (reconcile recreates with it too). */
export function machineSpec(clusterId: string, n: ClusterNode, pool: NodePool | undefined): MachineSpec {
  return {
    id: n.id,
    name: n.name,
    clusterId,
    flavor: n.flavor,
    labels: { ...((pool?.labels ?? {}) as Record<string, string>), "nuage.dev/node-pool": pool?.name ?? "" },
  };
}

const liveNode = { deletedAt: null, status: { in: ["creating", "ready"] as ClusterNode["status"][] } };

/**
 * Creates the missing node rows of each pool (ids chosen before the row is written) and asks the
 * provider for their machines, all at once; does not wait. The create operation calls it while the
 * control plane is still booting (node agents wait for it), then `ensureNodes` waits.
 */
export async function createMachines(ctx: StepContext, version: string) {
  const db = getDb();
  const pools = await db.nodePool.findMany({
    where: orgWhere(ctx.orgId, { clusterId: ctx.cluster.id, deletedAt: null }),
  });
  for (const pool of pools) {
    const live = await db.clusterNode.count({ where: orgWhere(ctx.orgId, { poolId: pool.id, ...liveNode }) });
    const missing = Math.max(0, pool.count - live);
    if (!missing) continue;
    // The id is the VM id at the provider: a lower-case DNS label, chosen before the row is written.
    await db.clusterNode.createMany({
      data: Array.from({ length: missing }, () => {
        const id = `n${randomBytes(12).toString("hex")}`;
        return {
          id,
          orgId: ctx.orgId,
          clusterId: ctx.cluster.id,
          poolId: pool.id,
          name: nodeName(pool, id),
          flavor: pool.flavor,
          version,
        };
      }),
    });
  }
  const nodes = await db.clusterNode.findMany({
    where: orgWhere(ctx.orgId, { clusterId: ctx.cluster.id, ...liveNode }),
    orderBy: { createdAt: "asc" },
  });
  const poolById = new Map(pools.map((p) => [p.id, p]));
  // Idempotent per id at the provider: concurrent calls are safe, and a rerun makes no second VM.
  await Promise.all(
    nodes.map((n) => ctx.provider.ensureMachine(machineSpec(ctx.cluster.id, n, poolById.get(n.poolId)))),
  );
  return { nodes, poolById };
}

/** Creates the missing node rows of each pool, their machines, and waits until all are Ready. */
export async function ensureNodes(ctx: StepContext, version: string): Promise<string> {
  const db = getDb();
  const { nodes, poolById } = await createMachines(ctx, version);
  const total = nodes.length;
  const joined = new Set(nodes.filter((n) => n.status === "ready").map((n) => n.id));
  await ctx.detail(`${joined.size}/${total} nodes joined`);
  await waitFor(
    `${total} nodes becoming Ready`,
    NODE_READY_TIMEOUT_MS,
    async () => {
      const machines = await ctx.provider.listMachines({ clusterId: ctx.cluster.id });
      const ready = new Set(machines.filter((m) => m.ready).map((m) => m.id));
      let changed = false;
      for (const n of nodes) {
        if (ready.has(n.id) && !joined.has(n.id)) {
          joined.add(n.id);
          changed = true;
          await db.clusterNode.updateMany({ where: orgWhere(ctx.orgId, { id: n.id }), data: { status: "ready" } });
        }
      }
      if (changed) await ctx.detail(`${joined.size}/${total} nodes joined`);
      return joined.size >= total ? true : undefined;
    },
    250,
  );
  // Labels and taints of the pools, through the Kubernetes API (repeatable merge patches).
  if (nodes.length) {
    const k = await kubeFor(ctx);
    await Promise.all(
      nodes.map(async (n) => {
        const pool = poolById.get(n.poolId);
        if (!pool) return;
        await waitFor(
          `node ${n.name} registering`,
          60_000,
          async () => {
            try {
              await applyPoolToNode(
                k,
                n.name,
                pool.labels as Record<string, string>,
                pool.taints as { key: string; value?: string; effect: string }[],
                pool.name,
              );
              return true;
            } catch (e) {
              if ((e as { code?: number }).code === 404) return undefined;
              throw e;
            }
          },
          250,
        );
      }),
    );
  }
  return `${total}/${total} nodes Ready`;
}

/** Marks the extra nodes of each pool (newest first) as draining, then drains and removes them. */
export async function removeExtraNodes(ctx: StepContext): Promise<string> {
  const db = getDb();
  const pools = await db.nodePool.findMany({ where: orgWhere(ctx.orgId, { clusterId: ctx.cluster.id }) });
  for (const pool of pools) {
    const want = pool.deletedAt ? 0 : pool.count;
    const live = await db.clusterNode.findMany({
      where: orgWhere(ctx.orgId, { poolId: pool.id, ...liveNode }),
      orderBy: { createdAt: "desc" },
    });
    const extra = live.slice(0, Math.max(0, live.length - want));
    if (extra.length) {
      await db.clusterNode.updateMany({
        where: orgWhere(ctx.orgId, { id: { in: extra.map((n) => n.id) } }),
        data: { status: "draining" },
      });
    }
  }
  const doomed = await db.clusterNode.findMany({
    where: orgWhere(ctx.orgId, {
      clusterId: ctx.cluster.id,
      deletedAt: null,
      status: { in: ["draining", "deleting"] as ClusterNode["status"][] },
    }),
  });
  if (!doomed.length) return "No node to remove";
  const k = await kubeFor(ctx);
  let i = 0;
  for (const n of doomed) {
    i++;
    await ctx.detail(`Draining ${n.name} (${i}/${doomed.length})`);
    if (n.status === "draining") {
      await drainNode(k, n.name);
      await db.clusterNode.updateMany({ where: orgWhere(ctx.orgId, { id: n.id }), data: { status: "deleting" } });
    }
    await ctx.provider.deleteMachine(n.id);
    await deleteNodeObject(k, n.name);
    await db.clusterNode.updateMany({
      where: orgWhere(ctx.orgId, { id: n.id }),
      data: { status: "deleted", deletedAt: new Date() },
    });
  }
  return `${doomed.length} node${doomed.length === 1 ? "" : "s"} drained and removed`;
}

export function assertSome<T>(v: T | null | undefined, what: string): T {
  if (v === null || v === undefined) throw new StepError(what);
  return v;
}
