// The steps of each operation type, in order (names match STEP_PLANS in @nuage/core).

import { finishOrgDeletion, versionOf } from "@nuage/core";
import { getDb, inOrg, orgWhere, type Prisma } from "@nuage/db";
import type { ControlPlaneInfo } from "@nuage/providers";
import { reloadCluster, type StepContext, StepError, type StepFn, waitFor } from "./context.ts";
import { ensureRoleBindings, kubeFor } from "./kube.ts";
import { createMachines, ensureNodes, removeExtraNodes } from "./nodes.ts";

const CP_READY_TIMEOUT_MS = Number(process.env.NUAGE_CP_READY_TIMEOUT_MS) || 120_000;

const patchOf = (v: string) => versionOf(v)?.patch ?? `v${v}.0`;

async function ensureControlPlane(ctx: StepContext): Promise<string> {
  const c = await reloadCluster(ctx);
  const cp = await ctx.provider.ensureControlPlane({
    id: c.id,
    name: c.name,
    version: patchOf(c.version),
    highAvailability: c.haControlPlane,
  });
  await getDb().cluster.update({
    where: inOrg(ctx.orgId, c.id),
    data: { caCertPem: cp.caCertPem, endpoint: cp.endpoint },
  });
  return "Cluster CA created";
}

async function waitControlPlane(ctx: StepContext): Promise<string> {
  // The VMs boot while the control plane does (their node agents wait for it): the create's
  // longest two waits overlap. The nodes step then only waits for them to join.
  await createMachines(ctx, ctx.cluster.version);
  // The platform's admin credential is signed by the cluster CA, which exists already: fetch it
  // meanwhile too (the datastore step uses it; a failure here is retried there).
  const kube = kubeFor(ctx).catch(() => undefined);
  const cp = await waitFor(
    "The control plane starting",
    CP_READY_TIMEOUT_MS,
    async () => {
      // A long poll: the provider answers as soon as the API server is up.
      const v = await ctx.provider.getControlPlane(ctx.cluster.id, { waitReadyMs: 5000 });
      if (!v) throw new StepError("The control plane is missing at the provider");
      return v.ready ? v : undefined;
    },
    150,
  );
  await kube;
  await getDb().cluster.update({ where: inOrg(ctx.orgId, ctx.cluster.id), data: { endpoint: cp.endpoint } });
  return `API server running at ${cp.endpoint}${ctx.cluster.haControlPlane ? " (HA)" : ""}`;
}

/** Add-ons applied ahead (while the nodes join) by this run; the add-ons step waits for them. */
const earlyAddOns = new WeakMap<StepContext, Promise<unknown>>();

async function checkDatastore(ctx: StepContext): Promise<string> {
  const k = await kubeFor(ctx);
  await waitFor(
    "The datastore answering",
    60_000,
    async () => {
      try {
        await k.core.listNamespace();
        return true;
      } catch {
        return undefined;
      }
    },
    100,
  );
  // The RBAC bindings need no node: create them while the nodes join (idempotent; the add-ons
  // step checks them again, so a failure or a crash here only costs that).
  const early = ensureRoleBindings(k);
  early.catch(() => undefined);
  earlyAddOns.set(ctx, early);
  return "etcd reachable; cluster state stored under the cluster's own key prefix";
}

async function addOns(ctx: StepContext): Promise<string> {
  const early = earlyAddOns.get(ctx);
  const done = early ? await early.then(() => true).catch(() => false) : false;
  if (!done) await ensureRoleBindings(await kubeFor(ctx));
  return "RBAC bindings for the organization's roles (owners/admins → cluster-admin, members → edit, viewers → view)";
}

async function markReady(ctx: StepContext): Promise<string> {
  await getDb().cluster.update({
    where: inOrg(ctx.orgId, ctx.cluster.id),
    data: { status: "running", statusMessage: null },
  });
  return "Cluster ready";
}

// ---- delete ----

type Inventory = { controlPlane: number; machines: number; volumes: number; loadBalancers: number };

/** What the provider held when the delete began: the cleanup report counts it (crash-safe). */
async function inventory(ctx: StepContext): Promise<Inventory> {
  const held = ((ctx.op.spec ?? {}) as { inventory?: Inventory }).inventory;
  if (held) return held;
  const d = await ctx.provider.describe(ctx.cluster.id);
  const inv: Inventory = {
    controlPlane: d.controlPlane ? 1 : 0,
    machines: d.machines.length,
    volumes: d.volumes.length,
    loadBalancers: d.loadBalancers.length,
  };
  // Written once: a second run of this operation (a job taken over after a stalled lock while the
  // first still runs) may look after the first has deleted things; the first snapshot wins.
  const spec = await getDb().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT 1 FROM "Operation" WHERE "id" = ${ctx.op.id} AND "orgId" = ${ctx.orgId} FOR UPDATE`;
    const op = await tx.operation.findFirst({ where: inOrg(ctx.orgId, ctx.op.id), select: { spec: true } });
    const current = (op?.spec ?? {}) as { inventory?: Inventory };
    if (current.inventory) return current;
    const next = { ...current, inventory: inv };
    await tx.operation.update({ where: inOrg(ctx.orgId, ctx.op.id), data: { spec: next as Prisma.InputJsonValue } });
    return next;
  });
  ctx.op.spec = spec as Prisma.JsonValue;
  return spec.inventory as Inventory;
}

async function deleteLoadBalancers(ctx: StepContext): Promise<string> {
  await inventory(ctx);
  const lbs = await ctx.provider.listLoadBalancers({ clusterId: ctx.cluster.id });
  for (const lb of lbs) await ctx.provider.deleteLoadBalancer(lb.id);
  return `${lbs.length} load balancer(s) removed`;
}

async function deleteVolumes(ctx: StepContext): Promise<string> {
  const vols = await ctx.provider.listVolumes({ clusterId: ctx.cluster.id });
  for (const v of vols) await ctx.provider.deleteVolume(v.id);
  return `${vols.length} volume(s) removed`;
}

async function deleteMachines(ctx: StepContext): Promise<string> {
  const vms = await ctx.provider.listMachines({ clusterId: ctx.cluster.id });
  let i = 0;
  for (const m of vms) {
    await ctx.provider.deleteMachine(m.id);
    i++;
    await ctx.detail(`${i}/${vms.length} VMs removed`);
  }
  await getDb().clusterNode.updateMany({
    where: orgWhere(ctx.orgId, { clusterId: ctx.cluster.id, deletedAt: null }),
    data: { status: "deleted", deletedAt: new Date() },
  });
  return `${vms.length} VM(s) removed`;
}

async function deleteControlPlane(ctx: StepContext): Promise<string> {
  const existed = await ctx.provider.deleteControlPlane(ctx.cluster.id);
  return existed ? "Control plane and datastore keys removed" : "Control plane already gone";
}

async function cleanupReport(ctx: StepContext): Promise<string> {
  const left = await ctx.provider.describe(ctx.cluster.id);
  const remaining =
    (left.controlPlane ? 1 : 0) + left.machines.length + left.volumes.length + left.loadBalancers.length;
  if (remaining) throw new StepError(`${remaining} resource(s) still exist at the provider; retrying the cleanup`);
  const inv = await inventory(ctx);
  const report = {
    controlPlanes: inv.controlPlane,
    vms: inv.machines,
    volumes: inv.volumes,
    loadBalancers: inv.loadBalancers,
  };
  const now = new Date();
  await getDb().$transaction([
    getDb().operation.update({ where: inOrg(ctx.orgId, ctx.op.id), data: { report } }),
    getDb().nodePool.updateMany({
      where: orgWhere(ctx.orgId, { clusterId: ctx.cluster.id, deletedAt: null }),
      data: { deletedAt: now },
    }),
    getDb().cluster.update({
      where: inOrg(ctx.orgId, ctx.cluster.id),
      data: { status: "deleted", deletedAt: now, endpoint: null },
    }),
  ]);
  // The last cluster of an org being deleted: the org itself is soft-deleted now.
  await finishOrgDeletion(ctx.orgId);
  return `Removed ${report.vms} VM(s), ${report.volumes} volume(s), ${report.loadBalancers} load balancer(s), ${report.controlPlanes} control plane(s)`;
}

// ---- update / upgrade ----

/** Waits until the provider says the control plane is settled (no change in progress) and answers. */
async function waitSettled(ctx: StepContext, what: string, check?: (cp: ControlPlaneInfo) => boolean) {
  return waitFor(what, CP_READY_TIMEOUT_MS, async () => {
    const v = await ctx.provider.getControlPlane(ctx.cluster.id);
    if (!v) throw new StepError("The control plane is missing at the provider");
    return v.ready && (!check || check(v)) ? v : undefined;
  });
}

async function updateControlPlane(ctx: StepContext): Promise<string> {
  const spec = (ctx.op.spec ?? {}) as { haControlPlane?: boolean | null; version?: string };
  const c = await reloadCluster(ctx);
  if (ctx.op.type === "upgrade" && spec.version) {
    // In place: the provider restarts the API server(s) on the new version, keeping the datastore;
    // done when the cluster's own /version reports it.
    const target = patchOf(spec.version);
    await ctx.provider.updateControlPlane(c.id, { version: target });
    await ctx.detail(`Restarting the API server${c.haControlPlane ? "s one by one" : ""} on ${target}`);
    await waitSettled(ctx, `The control plane upgrading to ${target}`, (cp) => cp.version === target);
    ctx.kube = undefined;
    const k = await kubeFor(ctx);
    await waitFor(`The API server reporting ${target}`, CP_READY_TIMEOUT_MS, async () => {
      try {
        return (await k.version.getCode()).gitVersion === target ? true : undefined;
      } catch {
        return undefined;
      }
    });
    await getDb().cluster.update({ where: inOrg(ctx.orgId, c.id), data: { version: spec.version } });
    return `Control plane at ${target} (/version)`;
  }
  if (spec.haControlPlane !== undefined && spec.haControlPlane !== null) {
    const ha = spec.haControlPlane;
    await ctx.provider.updateControlPlane(c.id, { highAvailability: ha });
    await ctx.detail(ha ? "Starting 3 API servers behind the endpoint" : "Going back to one API server");
    await waitSettled(ctx, `High availability turning ${ha ? "on" : "off"}`, (cp) => cp.highAvailability === ha);
    ctx.kube = undefined;
    return ha ? "High availability on: 3 API servers, leader-elected controllers" : "High availability off";
  }
  return "No change";
}

async function scaleUp(ctx: StepContext): Promise<string> {
  return ensureNodes(ctx, ctx.cluster.version);
}

/** Upgrade: replace nodes one by one (surge by one: the new node is Ready before the old one goes). */
async function replaceNodes(ctx: StepContext): Promise<string> {
  const c = await reloadCluster(ctx);
  const db = getDb();
  const old = await db.clusterNode.findMany({
    where: orgWhere(ctx.orgId, { clusterId: c.id, deletedAt: null, version: { not: c.version } }),
    orderBy: { createdAt: "asc" },
  });
  let i = 0;
  for (const n of old) {
    i++;
    await ctx.detail(`Replacing ${n.name} (${i}/${old.length})`);
    const pool = await db.nodePool.findFirst({ where: inOrg(ctx.orgId, n.poolId) });
    if (pool) {
      // Surge: one more node in the pool's desired count for the replacement, then drain the old one.
      await db.nodePool.update({ where: inOrg(ctx.orgId, pool.id), data: { count: { increment: 1 } } });
      await ensureNodes(ctx, c.version);
      await db.clusterNode.updateMany({ where: orgWhere(ctx.orgId, { id: n.id }), data: { status: "draining" } });
      await db.nodePool.update({ where: inOrg(ctx.orgId, pool.id), data: { count: { decrement: 1 } } });
    } else {
      await db.clusterNode.updateMany({ where: orgWhere(ctx.orgId, { id: n.id }), data: { status: "draining" } });
    }
    await removeExtraNodes(ctx);
  }
  return `${old.length} node(s) on ${c.version}`;
}

export const STEPS: Record<string, Record<string, StepFn>> = {
  create: {
    "certificate-authority": ensureControlPlane,
    "control-plane": waitControlPlane,
    datastore: checkDatastore,
    nodes: (ctx) => ensureNodes(ctx, ctx.cluster.version),
    "add-ons": addOns,
    ready: markReady,
  },
  update: {
    "control-plane": updateControlPlane,
    "node-pools": scaleUp,
    drain: removeExtraNodes,
    ready: markReady,
  },
  upgrade: {
    "control-plane": updateControlPlane,
    nodes: replaceNodes,
    ready: markReady,
  },
  delete: {
    "load-balancers": deleteLoadBalancers,
    volumes: deleteVolumes,
    nodes: deleteMachines,
    "control-plane": deleteControlPlane,
    "cleanup-report": cleanupReport,
  },
};
