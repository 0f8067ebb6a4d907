// Namespaces of a cluster with their ResourceQuota and LimitRange (desired state; the worker applies it).
import { getDb, inOrg, isUniqueViolation } from "@nuage/db";
import type { Namespace } from "@nuage/db/types";
import type { OrgScope } from "../actor.ts";
import { audit } from "../audit.ts";
import { AppError } from "../errors.ts";
import { requireRole } from "../roles.ts";
import { lockOrg, mutate } from "../tx.ts";
import { assertNamespaceRight, clusterAccess } from "./access.ts";
import { checkCaps, checkQuotaShape } from "./caps.ts";
import { readQuotaStatus } from "./kubeapi.ts";
import { formatUnits, quantityUnits } from "./quantity.ts";
import {
  QUOTA_RESOURCES,
  RESERVED_NAMESPACES,
  type TContainerDefaults,
  type TCreateNamespaceInput,
  type TQuota,
  type TUpdateNamespaceInput,
} from "./schemas.ts";
import { enqueueSync, syncView, waitingMessage } from "./sync.ts";
import { findTemplate } from "./templates.ts";

export function namespaceView(n: Namespace, counts?: { secrets: number; configMaps: number; grants: number }) {
  return {
    id: n.id,
    clusterId: n.clusterId,
    name: n.name,
    labels: n.labels as Record<string, string>,
    template: n.template,
    quota: n.quota as TQuota,
    limits: n.limits as TContainerDefaults,
    protected: n.protected,
    ...syncView(n),
    createdAt: n.createdAt,
    updatedAt: n.updatedAt,
    counts: counts ?? null,
  };
}
export type NamespaceView = ReturnType<typeof namespaceView>;

async function liveCluster(orgId: string, clusterId: string) {
  const c = await getDb().cluster.findFirst({ where: inOrg(orgId, clusterId) });
  if (!c || c.deletedAt || c.status === "deleted") throw new AppError("NOT_FOUND", "Cluster not found");
  return c;
}

function refuseIfDeleting(status: string) {
  if (status === "deleting")
    throw new AppError("CONFLICT", "The cluster is being deleted: its namespaces cannot change");
}

/** Loads a namespace visible to the caller with the right asked for. */
export async function loadNamespace(scope: OrgScope, id: string, right: "read" | "write" | "manage", what: string) {
  const n = await getDb().namespace.findFirst({ where: inOrg(scope.orgId, id) });
  if (!n) throw new AppError("NOT_FOUND", "Namespace not found");
  const access = await clusterAccess(scope, n.clusterId);
  assertNamespaceRight(scope, access, n.id, right, what);
  return n;
}

export async function listNamespaces(scope: OrgScope, clusterId: string) {
  if (scope.role === "billing") throw new AppError("FORBIDDEN", "Your role (billing) cannot list namespaces");
  await liveCluster(scope.orgId, clusterId);
  const access = await clusterAccess(scope, clusterId);
  const rows = await getDb().namespace.findMany({
    where: { orgId: scope.orgId, clusterId, ...(access.scoped ? { id: { in: [...access.grants.keys()] } } : {}) },
    orderBy: { name: "asc" },
    include: { _count: { select: { grants: true } }, items: { select: { kind: true } } },
  });
  return rows.map((r) =>
    namespaceView(r, {
      secrets: r.items.filter((i) => i.kind === "secret").length,
      configMaps: r.items.filter((i) => i.kind === "configmap").length,
      grants: r._count.grants,
    }),
  );
}

export async function getNamespace(scope: OrgScope, id: string) {
  const n = await loadNamespace(scope, id, "read", "read namespaces");
  const access = await clusterAccess(scope, n.clusterId);
  return { ...namespaceView(n), myAccess: access.scoped ? (access.grants.get(n.id) ?? null) : null };
}

/** Template (when named) + explicit fields; validated, and checked against the plan and the nodes. */
async function resolveSpec(
  orgId: string,
  template: string | undefined,
  quota: TQuota | undefined,
  limits: TContainerDefaults | undefined,
) {
  let base: { quota: TQuota; limits: TContainerDefaults } = { quota: {}, limits: { defaultRequest: {}, default: {} } };
  if (template && template !== "custom") {
    const t = await findTemplate(orgId, template);
    if (!t)
      throw new AppError("BAD_REQUEST", `template: there is no template named "${template}"`, { field: "template" });
    base = t;
  }
  const q: TQuota = { ...base.quota, ...(quota ?? {}) };
  for (const k of Object.keys(q) as (keyof TQuota)[]) if (!q[k]) delete q[k];
  const l = limits ?? base.limits;
  checkQuotaShape(q, l);
  return { quota: q, limits: l };
}

export async function createNamespace(scope: OrgScope, input: TCreateNamespaceInput) {
  requireRole(scope.role, "admin", "create namespaces");
  const cluster = await liveCluster(scope.orgId, input.clusterId);
  refuseIfDeleting(cluster.status);
  if ((RESERVED_NAMESPACES as readonly string[]).includes(input.name))
    throw new AppError("BAD_REQUEST", `name: ${input.name} is reserved for the system`, { field: "name" });
  const spec = await resolveSpec(scope.orgId, input.template, input.quota, input.limits);
  try {
    const row = await mutate(async (tx, after) => {
      await lockOrg(tx, scope.orgId);
      await checkCaps(tx, scope.orgId, cluster.id, null, spec.quota);
      const n = await tx.namespace.create({
        data: {
          orgId: scope.orgId,
          clusterId: cluster.id,
          name: input.name,
          labels: input.labels,
          template: input.template || "custom",
          quota: spec.quota,
          limits: spec.limits,
          // `default` may carry a quota but is never deleted.
          protected: input.name === "default",
          syncMessage: waitingMessage(cluster.status),
          createdById: scope.actor.type === "user" ? scope.actor.userId : null,
        },
      });
      await audit(tx, scope.actor, {
        orgId: scope.orgId,
        action: "namespace.create",
        targetType: "namespace",
        targetId: n.id,
        metadata: { cluster: cluster.name, name: n.name, template: n.template },
      });
      enqueueSync(after, "namespace", n.id, n.generation);
      return n;
    });
    return namespaceView(row);
  } catch (e) {
    if (isUniqueViolation(e))
      throw new AppError("CONFLICT", `name: the cluster already has a namespace named ${input.name}`, {
        field: "name",
      });
    throw e;
  }
}

export async function updateNamespace(scope: OrgScope, input: TUpdateNamespaceInput) {
  const n = await loadNamespace(scope, input.id, "manage", "change namespaces");
  if (n.deletingAt) throw new AppError("CONFLICT", "The namespace is being deleted");
  const cluster = await liveCluster(scope.orgId, n.clusterId);
  refuseIfDeleting(cluster.status);
  const quotaChanged = input.quota !== undefined || input.template !== undefined || input.limits !== undefined;
  const spec = quotaChanged
    ? await resolveSpec(
        scope.orgId,
        input.template ?? (input.quota ? "custom" : n.template),
        input.quota ?? (input.template ? undefined : (n.quota as TQuota)),
        input.limits,
      )
    : { quota: n.quota as TQuota, limits: n.limits as TContainerDefaults };
  const row = await mutate(async (tx, after) => {
    await lockOrg(tx, scope.orgId);
    if (quotaChanged) await checkCaps(tx, scope.orgId, n.clusterId, n.id, spec.quota);
    const u = await tx.namespace.update({
      where: inOrg(scope.orgId, n.id),
      data: {
        labels: input.labels ?? (n.labels as Record<string, string>),
        template: input.template ?? (input.quota ? "custom" : n.template),
        quota: spec.quota,
        limits: spec.limits,
        generation: { increment: 1 },
        syncStatus: "pending",
        syncMessage: waitingMessage(cluster.status),
      },
    });
    await audit(tx, scope.actor, {
      orgId: scope.orgId,
      action: "namespace.update",
      targetType: "namespace",
      targetId: n.id,
      metadata: { name: n.name, quotaChanged, labelsChanged: input.labels !== undefined },
    });
    enqueueSync(after, "namespace", u.id, u.generation);
    return u;
  });
  return namespaceView(row);
}

export async function deleteNamespace(scope: OrgScope, input: { id: string; confirmName: string }) {
  const n = await loadNamespace(scope, input.id, "manage", "delete namespaces");
  if (n.protected)
    throw new AppError("FORBIDDEN", `The ${n.name} namespace cannot be deleted (its quota can be changed)`);
  if (input.confirmName !== n.name)
    throw new AppError("BAD_REQUEST", `confirmName: type the namespace name (${n.name}) to confirm`, {
      field: "confirmName",
    });
  const cluster = await liveCluster(scope.orgId, n.clusterId);
  if (n.deletingAt) return namespaceView(n);
  const row = await mutate(async (tx, after) => {
    const u = await tx.namespace.update({
      where: inOrg(scope.orgId, n.id),
      data: {
        deletingAt: new Date(),
        generation: { increment: 1 },
        syncStatus: "pending",
        syncMessage: waitingMessage(cluster.status),
      },
    });
    await audit(tx, scope.actor, {
      orgId: scope.orgId,
      action: "namespace.delete",
      targetType: "namespace",
      targetId: n.id,
      metadata: { name: n.name },
    });
    enqueueSync(after, "namespace", u.id, u.generation);
    return u;
  });
  return namespaceView(row);
}

/** Live usage from the ResourceQuota status in the cluster (read through the provider's admin credential). */
export async function namespaceUsage(scope: OrgScope, id: string) {
  const n = await loadNamespace(scope, id, "read", "read namespaces");
  const cluster = await liveCluster(scope.orgId, n.clusterId);
  const quota = n.quota as TQuota;
  const base = QUOTA_RESOURCES.filter((r) => quota[r] !== undefined).map((r) => ({
    resource: r,
    hard: quota[r] as string,
    used: null as string | null,
    hardUnits: quantityUnits(r, quota[r] as string),
    usedUnits: null as number | null,
  }));
  if (waitingMessage(cluster.status) || n.syncedGeneration === 0) {
    return { live: false, reason: waitingMessage(cluster.status) ?? "Not yet applied to the cluster", items: base };
  }
  try {
    const status = await readQuotaStatus(cluster.id, n.name);
    return {
      live: true,
      reason: null,
      items: base.map((b) => {
        const used = status?.used?.[b.resource] ?? "0";
        let usedUnits = 0;
        try {
          usedUnits = quantityUnits(b.resource, used);
        } catch {}
        return { ...b, used: formatUnits(b.resource, usedUnits), usedUnits };
      }),
    };
  } catch (e) {
    return { live: false, reason: `The cluster did not answer: ${(e as Error).message.slice(0, 200)}`, items: base };
  }
}

export async function namespaceCaps(orgId: string) {
  const org = await getDb().org.findUniqueOrThrow({ where: { id: orgId } });
  return {
    maxCpu: String(org.maxVcpu),
    maxMemory: `${org.maxNamespaceMemoryGib}Gi`,
    maxStorage: `${org.maxNamespaceStorageGib}Gi`,
    overcommitRatio: org.overcommitRatio,
  };
}

export async function setOvercommitRatio(scope: OrgScope, ratio: number) {
  requireRole(scope.role, "admin", "change the overcommit ratio");
  await mutate(async (tx) => {
    await tx.org.update({ where: { id: scope.orgId }, data: { overcommitRatio: ratio } });
    await audit(tx, scope.actor, {
      orgId: scope.orgId,
      action: "org.overcommit-ratio",
      targetType: "org",
      targetId: scope.orgId,
      metadata: { ratio },
    });
  });
  return namespaceCaps(scope.orgId);
}
