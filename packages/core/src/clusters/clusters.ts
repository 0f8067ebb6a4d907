// Cluster lifecycle services: create, read, change and delete. Providers are driven by the worker.
import { getDb, inOrg, orgWhere } from "@nuage/db";
import { actorUserId, type OrgScope } from "../actor.ts";
import { audit } from "../audit.ts";
import { AppError } from "../errors.ts";
import { requireRole } from "../roles.ts";
import { mutate } from "../tx.ts";
import { checkPlanLimits } from "./limits.ts";
import { ACTIVE_STATUSES, assertNoActiveOperation, enqueueOperation, recordOperation } from "./operations.ts";
import type { TCreateClusterInput, TNodePoolInput, TUpdateClusterInput } from "./schemas.ts";
import { clusterView, operationView } from "./views.ts";

const include = {
  nodePools: { where: { deletedAt: null } },
  nodes: { where: { deletedAt: null } },
} as const;

function poolFields(orgId: string, p: TNodePoolInput) {
  return {
    orgId,
    name: p.name,
    flavor: p.flavor,
    count: p.count,
    minCount: p.minCount ?? p.count,
    maxCount: p.maxCount ?? p.count,
    labels: p.labels,
    taints: p.taints,
  };
}

/**
 * Records the cluster, its pools, the create operation and the audit row in one transaction, then
 * enqueues the operation. The rows are written first and the plan limits (and the name) checked
 * last, under the org lock: concurrent creates of one org queue only for that check and the commit.
 */
export async function createCluster(scope: OrgScope, input: TCreateClusterInput) {
  requireRole(scope.role, "member", "create clusters");
  const id = await mutate(async (tx, after) => {
    const c = await tx.cluster.create({
      data: {
        orgId: scope.orgId,
        name: input.name,
        region: input.region,
        version: input.version,
        haControlPlane: input.haControlPlane,
        status: "provisioning",
        createdById: actorUserId(scope.actor),
        nodePools: {
          createMany: { data: input.nodePools.map((p) => poolFields(scope.orgId, p)) },
        },
      },
      select: { id: true },
    });
    const op = await recordOperation(tx, scope, { clusterId: c.id, type: "create" });
    await audit(tx, scope.actor, {
      orgId: scope.orgId,
      action: "cluster.create",
      targetType: "cluster",
      targetId: c.id,
      metadata: { name: input.name, region: input.region, version: input.version },
    });
    await checkPlanLimits(tx, scope.orgId, input.nodePools, c.id, { created: { name: input.name } });
    after(() => enqueueOperation(op.id));
    return c.id;
  });
  return getCluster(scope.orgId, id);
}

async function currentOperation(orgId: string, clusterId: string) {
  const op = await getDb().operation.findFirst({
    where: orgWhere(orgId, { clusterId }),
    include: { steps: true },
    orderBy: { createdAt: "desc" },
  });
  return op ? operationView(op) : null;
}

export async function getCluster(orgId: string, id: string) {
  const c = await getDb().cluster.findFirst({ where: inOrg(orgId, id), include });
  if (!c) throw new AppError("NOT_FOUND", "Cluster not found");
  return clusterView(c, await currentOperation(orgId, id));
}

export async function listClusters(orgId: string, opts: { includeDeleted?: boolean } = {}) {
  const rows = await getDb().cluster.findMany({
    where: orgWhere(orgId, opts.includeDeleted ? {} : { deletedAt: null }),
    include,
    orderBy: { createdAt: "desc" },
    take: 500,
  });
  return rows.map((c) => clusterView(c));
}

/** Changes node pools, version or HA; each change becomes one operation with steps. */
export async function updateCluster(scope: OrgScope, input: TUpdateClusterInput) {
  requireRole(scope.role, "member", "change clusters");
  await mutate(async (tx, after) => {
    const c = await tx.cluster.findFirst({ where: inOrg(scope.orgId, input.id), include });
    if (!c || c.deletedAt) throw new AppError("NOT_FOUND", "Cluster not found");
    if (c.status === "deleting" || c.status === "deleted")
      throw new AppError("CONFLICT", "The cluster is being deleted");
    await assertNoActiveOperation(tx, scope.orgId, c.id);
    const versionChange = input.version !== undefined && input.version !== c.version;
    if (versionChange && input.nodePools) {
      throw new AppError("BAD_REQUEST", "Change the version and the node pools in two separate updates", {
        field: "version",
      });
    }
    if (versionChange && input.version! < c.version) {
      throw new AppError("BAD_REQUEST", `Downgrades are not supported (cluster runs ${c.version})`, {
        field: "version",
      });
    }
    if (input.nodePools) {
      const current = c.nodePools.reduce((s, p) => s + p.count, 0);
      const wanted = input.nodePools.reduce((s, p) => s + p.count, 0);
      await checkPlanLimits(tx, scope.orgId, input.nodePools, c.id, { scaleUp: wanted > current });
      const byName = new Map(c.nodePools.map((p) => [p.name, p]));
      for (const p of input.nodePools) {
        const existing = byName.get(p.name);
        if (existing && existing.flavor !== p.flavor) {
          throw new AppError("BAD_REQUEST", `Node pool ${p.name}: the flavor cannot change; add a new pool instead`, {
            field: "nodePools",
          });
        }
        const data = { ...poolFields(scope.orgId, p), clusterId: c.id };
        if (existing) await tx.nodePool.update({ where: inOrg(scope.orgId, existing.id), data });
        else await tx.nodePool.create({ data });
      }
      const keep = new Set(input.nodePools.map((p) => p.name));
      for (const p of c.nodePools.filter((p) => !keep.has(p.name))) {
        await tx.nodePool.update({ where: inOrg(scope.orgId, p.id), data: { count: 0, deletedAt: new Date() } });
      }
    }
    const haChange = input.haControlPlane !== undefined && input.haControlPlane !== c.haControlPlane;
    if (!versionChange && !haChange && !input.nodePools) {
      throw new AppError("BAD_REQUEST", "Nothing to change");
    }
    await tx.cluster.update({
      where: inOrg(scope.orgId, c.id),
      data: { status: "updating", haControlPlane: input.haControlPlane ?? c.haControlPlane },
    });
    const op = await recordOperation(tx, scope, {
      clusterId: c.id,
      type: versionChange ? "upgrade" : "update",
      spec: versionChange
        ? { version: input.version!, from: c.version }
        : { haControlPlane: input.haControlPlane ?? null },
    });
    await audit(tx, scope.actor, {
      orgId: scope.orgId,
      action: versionChange ? "cluster.upgrade" : "cluster.update",
      targetType: "cluster",
      targetId: c.id,
      metadata: {
        version: input.version ?? null,
        haControlPlane: input.haControlPlane ?? null,
        nodePools: input.nodePools?.map((p) => ({ name: p.name, count: p.count })) ?? null,
      },
    });
    after(() => enqueueOperation(op.id));
  });
  return getCluster(scope.orgId, input.id);
}

/** Typed confirmation: `confirmName` must equal the cluster's name. */
export async function deleteCluster(scope: OrgScope, input: { id: string; confirmName: string }) {
  requireRole(scope.role, "member", "delete clusters");
  await mutate(async (tx, after) => {
    const c = await tx.cluster.findFirst({ where: inOrg(scope.orgId, input.id) });
    if (!c || c.deletedAt) throw new AppError("NOT_FOUND", "Cluster not found");
    if (input.confirmName.trim() !== c.name) {
      throw new AppError("BAD_REQUEST", `Type the cluster name (${c.name}) to confirm the deletion`, {
        field: "confirmName",
      });
    }
    const running = await tx.operation.findFirst({
      where: orgWhere(scope.orgId, { clusterId: c.id, type: "delete" as const, status: { in: ACTIVE_STATUSES } }),
    });
    if (running) return;
    // Whatever was in flight stops at its next step: the delete removes everything it made.
    await tx.operation.updateMany({
      where: orgWhere(scope.orgId, { clusterId: c.id, status: { in: ACTIVE_STATUSES } }),
      data: { status: "failed", error: "Cancelled: the cluster is being deleted", finishedAt: new Date() },
    });
    await tx.cluster.update({ where: inOrg(scope.orgId, c.id), data: { status: "deleting", statusMessage: null } });
    const op = await recordOperation(tx, scope, { clusterId: c.id, type: "delete" });
    await audit(tx, scope.actor, {
      orgId: scope.orgId,
      action: "cluster.delete",
      targetType: "cluster",
      targetId: c.id,
      metadata: { name: c.name },
    });
    after(() => enqueueOperation(op.id));
  });
  return getCluster(scope.orgId, input.id);
}

export async function listClusterEvents(orgId: string, clusterId: string) {
  const c = await getDb().cluster.findFirst({ where: inOrg(orgId, clusterId), select: { id: true } });
  if (!c) throw new AppError("NOT_FOUND", "Cluster not found");
  const rows = await getDb().clusterEvent.findMany({
    where: orgWhere(orgId, { clusterId }),
    orderBy: { createdAt: "desc" },
    take: 200,
  });
  return rows.map((e) => ({ id: e.id, level: e.level, reason: e.reason, message: e.message, createdAt: e.createdAt }));
}
