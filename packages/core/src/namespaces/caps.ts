// Quota rules: the shape of one quota (limits ≥ requests, defaults within limits), the org's plan
// totals (sum over all its namespaces) and each cluster's node capacity × the overcommit ratio.
import type { Tx } from "@nuage/db";
import { AppError } from "../errors.ts";
import { flavorByName } from "./flavors.ts";
import { formatUnits, quantityUnits } from "./quantity.ts";
import { QUOTA_RESOURCES, type TContainerDefaults, type TQuota } from "./schemas.ts";

/** Parses every quantity (errors name the field) and returns the quota in comparable units. */
export function quotaUnits(quota: TQuota): Partial<Record<string, number>> {
  const out: Partial<Record<string, number>> = {};
  for (const r of QUOTA_RESOURCES) {
    const v = quota[r];
    if (v === undefined || v === "") continue;
    const u = quantityUnits(`quota.${r}`, v);
    if (!/cpu|memory|storage/.test(r) && !Number.isInteger(Number(v)))
      throw new AppError("BAD_REQUEST", `quota.${r}: "${v}" must be a whole number of objects`, {
        field: `quota.${r}`,
      });
    out[r] = u;
  }
  return out;
}

export function checkQuotaShape(quota: TQuota, limits: TContainerDefaults | undefined): void {
  const u = quotaUnits(quota);
  for (const res of ["cpu", "memory"] as const) {
    const req = u[`requests.${res}`];
    const lim = u[`limits.${res}`];
    if (req !== undefined && lim !== undefined && lim < req) {
      throw new AppError(
        "BAD_REQUEST",
        `quota.limits.${res} (${quota[`limits.${res}`]}) cannot be below quota.requests.${res} (${quota[`requests.${res}`]})`,
        { field: `quota.limits.${res}` },
      );
    }
    const dReq = limits?.defaultRequest[res];
    const dLim = limits?.default[res];
    const dReqU = dReq ? quantityUnits(`limits.defaultRequest.${res}`, dReq) : undefined;
    const dLimU = dLim ? quantityUnits(`limits.default.${res}`, dLim) : undefined;
    if (dReqU !== undefined && dLimU !== undefined && dLimU < dReqU) {
      throw new AppError(
        "BAD_REQUEST",
        `limits.default.${res} (${dLim}) cannot be below limits.defaultRequest.${res} (${dReq})`,
        { field: `limits.default.${res}` },
      );
    }
    if (dReqU !== undefined && req !== undefined && dReqU > req) {
      throw new AppError(
        "BAD_REQUEST",
        `limits.defaultRequest.${res} (${dReq}) is more than the whole namespace may request (quota.requests.${res} ${quota[`requests.${res}`]})`,
        { field: `limits.defaultRequest.${res}` },
      );
    }
  }
}

const label: Record<string, string> = {
  "requests.cpu": "CPU",
  "requests.memory": "memory",
  "requests.storage": "storage",
};
const fmt = (r: string, v: number) => (r === "requests.cpu" ? `${formatUnits(r, v)} CPU` : formatUnits(r, v));

/**
 * Called in the transaction that writes the namespace, after the org row is locked: the sum of
 * namespace requests stays within the plan, and within the cluster's nodes × overcommit ratio.
 */
export async function checkCaps(
  tx: Tx,
  orgId: string,
  clusterId: string,
  excludeNamespaceId: string | null,
  quota: TQuota,
): Promise<void> {
  const mine = quotaUnits(quota);
  const org = await tx.org.findUniqueOrThrow({ where: { id: orgId } });
  const others = await tx.namespace.findMany({
    where: { orgId, deletingAt: null, ...(excludeNamespaceId ? { id: { not: excludeNamespaceId } } : {}) },
    select: { clusterId: true, quota: true },
  });
  const sum = (rows: typeof others, r: string) =>
    rows.reduce((s, n) => s + (quotaUnits(n.quota as TQuota)[r] ?? 0), 0) + (mine[r] ?? 0);

  const plan: [string, number][] = [
    ["requests.cpu", org.maxVcpu * 1000],
    ["requests.memory", org.maxNamespaceMemoryGib * 2 ** 30],
    ["requests.storage", org.maxNamespaceStorageGib * 2 ** 30],
  ];
  for (const [r, cap] of plan) {
    if (mine[r] === undefined) continue;
    const total = sum(others, r);
    if (total > cap) {
      throw new AppError(
        "BAD_REQUEST",
        `quota.${r}: the namespaces of your organization would request ${fmt(r, total)} of ${label[r]} in total, more than your plan allows (${fmt(r, cap)})`,
        { field: `quota.${r}` },
      );
    }
  }

  const pools = await tx.nodePool.findMany({ where: { orgId, clusterId, deletedAt: null } });
  let cpu = 0;
  let mem = 0;
  for (const p of pools) {
    const f = flavorByName(p.flavor);
    if (!f) continue;
    cpu += f.vcpus * 1000 * p.count;
    mem += f.memoryMiB * 2 ** 20 * p.count;
  }
  const ratio = org.overcommitRatio;
  const inCluster = others.filter((n) => n.clusterId === clusterId);
  for (const [r, capacity] of [
    ["requests.cpu", cpu],
    ["requests.memory", mem],
  ] as const) {
    if (mine[r] === undefined) continue;
    const allowed = Math.floor(capacity * ratio);
    const total = sum(inCluster, r);
    if (total > allowed) {
      const what = inCluster.length
        ? `the namespaces of this cluster would request ${fmt(r, total)}`
        : `this namespace would request ${fmt(r, total)}`;
      throw new AppError(
        "BAD_REQUEST",
        `quota.${r}: ${what} of ${label[r]}, more than its nodes provide (${fmt(r, capacity)}${ratio !== 1 ? ` × overcommit ratio ${ratio} = ${fmt(r, allowed)}` : ""}). Lower the quota, add nodes, or ask an org admin to set an overcommit ratio`,
        { field: `quota.${r}` },
      );
    }
  }
}
