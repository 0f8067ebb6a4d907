// What the API returns for clusters, operations, steps, events and credentials.
import type { getDb } from "@nuage/db";
import { flavorOf } from "./catalog.ts";

type Db = ReturnType<typeof getDb>;
type Row<K extends "cluster" | "nodePool" | "clusterNode" | "operation" | "operationStep"> = NonNullable<
  Awaited<ReturnType<Db[K]["findFirst"]>>
>;

export const STEP_TITLES: Record<string, string> = {
  "certificate-authority": "Certificate authority",
  "control-plane": "Control plane",
  datastore: "Datastore",
  nodes: "Nodes",
  "add-ons": "Add-ons",
  ready: "Ready",
  "node-pools": "Node pools",
  drain: "Drain and remove nodes",
  "load-balancers": "Load balancers",
  volumes: "Volumes",
  "cleanup-report": "Cleanup report",
};

export function poolView(p: Row<"nodePool">) {
  return {
    id: p.id,
    name: p.name,
    flavor: p.flavor,
    count: p.count,
    minCount: p.minCount,
    maxCount: p.maxCount,
    labels: (p.labels ?? {}) as Record<string, string>,
    taints: (p.taints ?? []) as { key: string; value?: string; effect: string }[],
  };
}
export type NodePoolView = ReturnType<typeof poolView>;

export function nodeView(n: Row<"clusterNode">) {
  return { id: n.id, name: n.name, poolId: n.poolId, flavor: n.flavor, version: n.version, status: n.status };
}

export function stepView(s: Row<"operationStep">) {
  return {
    id: s.id,
    position: s.position,
    name: s.name,
    title: STEP_TITLES[s.name] ?? s.name,
    status: s.status,
    detail: s.detail,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
  };
}

export function operationView(o: Row<"operation"> & { steps: Row<"operationStep">[] }) {
  return {
    id: o.id,
    clusterId: o.clusterId,
    type: o.type,
    status: o.status,
    error: o.error,
    attempts: o.attempts,
    report: (o.report ?? null) as Record<string, number> | null,
    createdAt: o.createdAt,
    startedAt: o.startedAt,
    finishedAt: o.finishedAt,
    steps: [...o.steps].sort((a, b) => a.position - b.position).map(stepView),
  };
}
export type OperationView = ReturnType<typeof operationView>;

export function clusterView(
  c: Row<"cluster"> & { nodePools: Row<"nodePool">[]; nodes: Row<"clusterNode">[] },
  currentOperation: OperationView | null = null,
) {
  const pools = c.nodePools.filter((p) => !p.deletedAt);
  const nodes = c.nodes.filter((n) => !n.deletedAt);
  let vcpus = 0;
  let memoryMiB = 0;
  for (const p of pools) {
    const f = flavorOf(p.flavor);
    vcpus += (f?.vcpus ?? 0) * p.count;
    memoryMiB += (f?.memoryMiB ?? 0) * p.count;
  }
  return {
    id: c.id,
    name: c.name,
    region: c.region,
    version: c.version,
    haControlPlane: c.haControlPlane,
    status: c.status,
    statusMessage: c.statusMessage,
    endpoint: c.endpoint,
    nodeCount: pools.reduce((s, p) => s + p.count, 0),
    readyNodeCount: nodes.filter((n) => n.status === "ready").length,
    vcpus,
    memoryMiB,
    nodePools: pools.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).map(poolView),
    nodes: nodes.map(nodeView),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    deletedAt: c.deletedAt,
    currentOperation,
  };
}
export type ClusterView = ReturnType<typeof clusterView>;
