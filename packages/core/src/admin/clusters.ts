// Every cluster across tenants, and the operator's actions on one: retry a failed operation of
// any org, force-delete, trigger reconcile. Reads are not tenant-scoped on purpose.
import { getDb, type Prisma } from "@nuage/db";
import type { ClusterStatus } from "@nuage/db/types";
import { enqueue } from "@nuage/jobs";
import { getProvider } from "@nuage/providers";
import { z } from "zod";
import type { Actor } from "../actor.ts";
import { audit } from "../audit.ts";
import {
  ACTIVE_STATUSES,
  enqueueOperation,
  getOperation,
  recordOperation,
  retryOperation,
} from "../clusters/operations.ts";
import { operationView } from "../clusters/views.ts";
import { AppError } from "../errors.ts";
import { mutate } from "../tx.ts";

export const CLUSTER_STATUSES = [
  "provisioning",
  "running",
  "updating",
  "degraded",
  "deleting",
  "deleted",
  "error",
] as const;

export const ZAdminClusterFilter = z.object({
  q: z.string().max(200).optional(),
  status: z.enum(CLUSTER_STATUSES).optional(),
  region: z.string().max(100).optional(),
  orgId: z.string().max(100).optional(),
  limit: z.number().int().min(1).max(500).optional(),
});

export async function listAllClusters(input: z.infer<typeof ZAdminClusterFilter>) {
  const q = input.q?.trim();
  const where: Prisma.ClusterWhereInput = {
    ...(input.status ? { status: input.status as ClusterStatus } : { status: { not: "deleted" } }),
    ...(input.region ? { region: input.region } : {}),
    ...(input.orgId ? { orgId: input.orgId } : {}),
    ...(q
      ? {
          OR: [
            { id: q },
            { name: { contains: q, mode: "insensitive" } },
            { org: { name: { contains: q, mode: "insensitive" } } },
          ],
        }
      : {}),
  };
  const rows = await getDb().cluster.findMany({
    where,
    orderBy: { createdAt: "desc" },
    take: input.limit ?? 200,
    include: {
      org: { select: { id: true, name: true } },
      _count: { select: { nodes: { where: { deletedAt: null } } } },
    },
  });
  return rows.map((c) => ({
    id: c.id,
    name: c.name,
    orgId: c.org.id,
    orgName: c.org.name,
    region: c.region,
    version: c.version,
    status: c.status,
    statusMessage: c.statusMessage,
    nodes: c._count.nodes,
    createdAt: c.createdAt,
  }));
}

/** One cluster with its operations (and steps), events, nodes and what the provider holds. */
export async function getAdminCluster(id: string) {
  const db = getDb();
  const c = await db.cluster.findUnique({
    where: { id },
    include: {
      org: { select: { id: true, name: true } },
      nodePools: { where: { deletedAt: null } },
      nodes: { where: { deletedAt: null }, orderBy: { name: "asc" } },
      operations: { orderBy: { createdAt: "desc" }, take: 50, include: { steps: true } },
      events: { orderBy: { createdAt: "desc" }, take: 100 },
    },
  });
  if (!c) throw new AppError("NOT_FOUND", "Cluster not found");
  let provider: {
    error: string | null;
    controlPlane: unknown;
    machines: unknown[];
    volumes: number;
    loadBalancers: number;
  };
  try {
    const d = await getProvider().describe(c.id);
    provider = {
      error: null,
      controlPlane: d.controlPlane
        ? {
            status: d.controlPlane.status,
            ready: d.controlPlane.ready,
            endpoint: d.controlPlane.endpoint,
            version: d.controlPlane.version,
          }
        : null,
      machines: d.machines.map((m) => ({
        id: m.id,
        name: m.name,
        flavor: m.flavor,
        zone: m.zone,
        status: m.status,
        ready: m.ready,
      })),
      volumes: d.volumes.length,
      loadBalancers: d.loadBalancers.length,
    };
  } catch (e) {
    provider = {
      error: (e as Error).message.slice(0, 300),
      controlPlane: null,
      machines: [],
      volumes: 0,
      loadBalancers: 0,
    };
  }
  return {
    id: c.id,
    name: c.name,
    orgId: c.org.id,
    orgName: c.org.name,
    region: c.region,
    version: c.version,
    haControlPlane: c.haControlPlane,
    status: c.status,
    statusMessage: c.statusMessage,
    endpoint: c.endpoint,
    createdAt: c.createdAt,
    pools: c.nodePools.map((p) => ({ id: p.id, name: p.name, flavor: p.flavor, count: p.count })),
    nodes: c.nodes.map((n) => ({ id: n.id, name: n.name, flavor: n.flavor, status: n.status })),
    operations: c.operations.map(operationView),
    events: c.events.map((e) => ({
      id: e.id,
      level: e.level,
      reason: e.reason,
      message: e.message,
      createdAt: e.createdAt,
    })),
    provider: provider as {
      error: string | null;
      controlPlane: { status: string; ready: boolean; endpoint: string; version: string } | null;
      machines: { id: string; name: string; flavor: string; zone: string; status: string; ready: boolean }[];
      volumes: number;
      loadBalancers: number;
    },
  };
}

/** Failed operations (any org) of the last `hours`. */
export async function recentFailedOperations(hours = 24) {
  const rows = await getDb().operation.findMany({
    where: { status: "failed", finishedAt: { gte: new Date(Date.now() - hours * 3_600_000) } },
    orderBy: { finishedAt: "desc" },
    take: 50,
    include: { cluster: { select: { name: true, org: { select: { id: true, name: true } } } } },
  });
  return rows.map((o) => ({
    id: o.id,
    type: o.type,
    clusterId: o.clusterId,
    clusterName: o.cluster.name,
    orgId: o.cluster.org.id,
    orgName: o.cluster.org.name,
    error: o.error,
    finishedAt: o.finishedAt,
  }));
}

/** The tenant's retry, done by an operator in the operation's own org (audited as the operator). */
export async function adminRetryOperation(actor: Actor, operationId: string) {
  const op = await getDb().operation.findUnique({ where: { id: operationId }, select: { orgId: true } });
  if (!op) throw new AppError("NOT_FOUND", "Operation not found");
  return retryOperation({ orgId: op.orgId, role: "owner", actor }, operationId);
}

/**
 * Deletes a cluster whatever it is doing: active operations (a stuck delete included) are
 * cancelled and a fresh delete operation runs the idempotent cleanup steps again.
 */
export async function forceDeleteCluster(actor: Actor, input: { id: string; confirmName: string }) {
  const opId = await mutate(async (tx, after) => {
    const c = await tx.cluster.findUnique({ where: { id: input.id } });
    if (!c) throw new AppError("NOT_FOUND", "Cluster not found");
    if (c.status === "deleted") throw new AppError("CONFLICT", "This cluster is already deleted");
    if (input.confirmName.trim() !== c.name) {
      throw new AppError("BAD_REQUEST", `Type the cluster name (${c.name}) to confirm the deletion`, {
        field: "confirmName",
      });
    }
    await tx.operation.updateMany({
      where: { orgId: c.orgId, clusterId: c.id, status: { in: ACTIVE_STATUSES } },
      data: { status: "failed", error: "Cancelled: force-deleted by an operator", finishedAt: new Date() },
    });
    await tx.cluster.update({ where: { id: c.id }, data: { status: "deleting", statusMessage: null } });
    const op = await recordOperation(tx, { orgId: c.orgId, role: "owner", actor }, { clusterId: c.id, type: "delete" });
    await audit(tx, actor, {
      orgId: c.orgId,
      action: "admin.cluster.force_delete",
      targetType: "cluster",
      targetId: c.id,
      metadata: { name: c.name },
    });
    after(() => enqueueOperation(op.id));
    return op.id;
  });
  return getOperation((await getDb().operation.findUniqueOrThrow({ where: { id: opId } })).orgId, opId);
}

/** Enqueues a reconcile pass now (it covers every cluster at rest, this one included). */
export async function triggerReconcile(actor: Actor, clusterId: string) {
  const c = await getDb().cluster.findUnique({ where: { id: clusterId }, select: { orgId: true, status: true } });
  if (!c) throw new AppError("NOT_FOUND", "Cluster not found");
  await mutate((tx) =>
    audit(tx, actor, { orgId: c.orgId, action: "admin.cluster.reconcile", targetType: "cluster", targetId: clusterId }),
  );
  const job = await enqueue("cluster.reconcile", {}, { jobId: `reconcile-admin-${Date.now()}` });
  return {
    jobId: job.id ?? null,
    note:
      c.status === "running" || c.status === "degraded"
        ? "Reconcile queued"
        : `Reconcile queued; it skips clusters that are ${c.status} (an operation owns them)`,
  };
}
