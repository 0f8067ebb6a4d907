// Plan limits, checked under a per-org lock in the transaction that records the change.
import type { Tx } from "@nuage/db";
import { AppError } from "../errors.ts";
import { flavorOf } from "./catalog.ts";

const vcpusOf = (pools: { flavor: string; count: number }[]) =>
  pools.reduce((s, p) => s + (flavorOf(p.flavor)?.vcpus ?? 0) * p.count, 0);

interface OrgLimits {
  maxClusters: number;
  maxNodesPerCluster: number;
  maxVcpu: number;
  suspendedAt: Date | null;
  suspendedReason: string | null;
  deletingAt: Date | null;
  deletedAt: Date | null;
}

interface LivePoolRow {
  clusterId: string;
  name: string;
  status: string;
  flavor: string | null;
  count: number | null;
}

/**
 * Locks the org row and reads its limits in one statement. `FOR NO KEY UPDATE`: creates and resizes
 * of one org queue on it (and so do membership changes and org deletion, which take `FOR UPDATE`),
 * but the key-share locks that inserts of the org's rows take (cluster, node, audit rows, from the
 * API or the worker) do not wait for it. Held until commit: callers write their rows first and
 * check last, so the lock covers two statements and the commit.
 */
async function lockLimits(tx: Tx, orgId: string): Promise<OrgLimits> {
  const rows = await tx.$queryRaw<OrgLimits[]>`
    SELECT "maxClusters", "maxNodesPerCluster", "maxVcpu", "suspendedAt", "suspendedReason", "deletingAt", "deletedAt"
    FROM "Org" WHERE "id" = ${orgId} FOR NO KEY UPDATE`;
  const org = rows[0];
  if (!org) throw new AppError("NOT_FOUND", "Organization not found");
  return org;
}

/** The org's clusters not deleted yet, with their live pools: one statement. */
async function liveClusters(tx: Tx, orgId: string) {
  const rows = await tx.$queryRaw<LivePoolRow[]>`
    SELECT c."id" AS "clusterId", c."name", c."status"::text AS "status", p."flavor", p."count"
    FROM "Cluster" c
    LEFT JOIN "NodePool" p ON p."clusterId" = c."id" AND p."deletedAt" IS NULL
    WHERE c."orgId" = ${orgId} AND c."deletedAt" IS NULL`;
  const byId = new Map<
    string,
    { id: string; name: string; status: string; pools: { flavor: string; count: number }[] }
  >();
  for (const r of rows) {
    let c = byId.get(r.clusterId);
    if (!c) {
      c = { id: r.clusterId, name: r.name, status: r.status, pools: [] };
      byId.set(r.clusterId, c);
    }
    if (r.flavor !== null && r.count !== null) c.pools.push({ flavor: r.flavor, count: r.count });
  }
  return [...byId.values()];
}

/**
 * Locks the org (concurrent creates and resizes of one org queue here), then checks the limits as
 * if `pools` replaced the pools of `clusterId`. For a create (`created`), the new cluster's rows are
 * written in `tx` before this call: it counts itself, and its name must be the only live one; the
 * caller's transaction rolls them back when this throws.
 */
export async function checkPlanLimits(
  tx: Tx,
  orgId: string,
  pools: { flavor: string; count: number }[],
  clusterId: string,
  opts: { scaleUp?: boolean; created?: { name: string } } = {},
): Promise<void> {
  const scaleUp = opts.scaleUp ?? true;
  const org = await lockLimits(tx, orgId);
  if (org.deletingAt || org.deletedAt) {
    throw new AppError("FORBIDDEN", "This organization is being deleted: it cannot create or change clusters");
  }
  if (org.suspendedAt && scaleUp) {
    // The reason is the operator's or billing's words for the tenant (shown in the portal banner too).
    const why = org.suspendedReason ? ` (${org.suspendedReason})` : "";
    throw new AppError("FORBIDDEN", `This organization is suspended${why}: it cannot create clusters or add nodes`);
  }
  const clusters = await liveClusters(tx, orgId);
  if (opts.created) {
    const name = opts.created.name;
    // A deleting cluster still holds its name until it is gone.
    if (clusters.some((c) => c.name === name && c.id !== clusterId)) {
      throw new AppError("CONFLICT", `A cluster named ${name} already exists in this organization`, {
        field: "name",
      });
    }
  }
  const live = clusters.filter((c) => c.status !== "deleting" && c.status !== "deleted");
  // A new cluster is among `live` already (its rows were written before the lock).
  if (opts.created && live.length > org.maxClusters) {
    throw new AppError(
      "FORBIDDEN",
      `Plan limit reached: clusters per organization (${org.maxClusters}); delete a cluster or raise the limit`,
      { field: "maxClusters" },
    );
  }
  const nodes = pools.reduce((s, p) => s + p.count, 0);
  if (nodes > org.maxNodesPerCluster) {
    throw new AppError(
      "FORBIDDEN",
      `Plan limit reached: nodes per cluster (${org.maxNodesPerCluster}); this cluster would have ${nodes}`,
      { field: "nodePools" },
    );
  }
  const others = live.filter((c) => c.id !== clusterId).reduce((s, c) => s + vcpusOf(c.pools), 0);
  const total = others + vcpusOf(pools);
  if (scaleUp && total > org.maxVcpu) {
    throw new AppError(
      "FORBIDDEN",
      `Plan limit reached: total vCPU (${org.maxVcpu}); the organization would use ${total} vCPU`,
      { field: "nodePools" },
    );
  }
}
