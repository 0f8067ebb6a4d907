// Plan limits, checked under the org row lock in the transaction that records the change.
import type { Tx } from "@nuage/db";
import { AppError } from "../errors.ts";
import { lockOrg } from "../tx.ts";
import { flavorOf } from "./catalog.ts";

const vcpusOf = (pools: { flavor: string; count: number }[]) =>
  pools.reduce((s, p) => s + (flavorOf(p.flavor)?.vcpus ?? 0) * p.count, 0);

/**
 * Locks the org row (concurrent creates and resizes of one org queue here), then checks the limits
 * as if `pools` replaced the pools of `replacingClusterId` (or were a new cluster when it is null).
 */
export async function checkPlanLimits(
  tx: Tx,
  orgId: string,
  pools: { flavor: string; count: number }[],
  replacingClusterId: string | null,
  opts: { scaleUp: boolean } = { scaleUp: true },
): Promise<void> {
  await lockOrg(tx, orgId);
  const org = await tx.org.findUniqueOrThrow({ where: { id: orgId } });
  if (org.deletingAt || org.deletedAt) {
    throw new AppError("FORBIDDEN", "This organization is being deleted: it cannot create or change clusters");
  }
  if (org.suspendedAt && opts.scaleUp) {
    // The reason is the operator's or billing's words for the tenant (shown in the portal banner too).
    const why = org.suspendedReason ? ` (${org.suspendedReason})` : "";
    throw new AppError("FORBIDDEN", `This organization is suspended${why}: it cannot create clusters or add nodes`);
  }
  const live = await tx.cluster.findMany({
    where: { orgId, deletedAt: null, status: { notIn: ["deleting", "deleted"] } },
    include: { nodePools: { where: { deletedAt: null } } },
  });
  if (!replacingClusterId && live.length + 1 > org.maxClusters) {
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
  const others = live.filter((c) => c.id !== replacingClusterId).reduce((s, c) => s + vcpusOf(c.nodePools), 0);
  const total = others + vcpusOf(pools);
  if (opts.scaleUp && total > org.maxVcpu) {
    throw new AppError(
      "FORBIDDEN",
      `Plan limit reached: total vCPU (${org.maxVcpu}); the organization would use ${total} vCPU`,
      { field: "nodePools" },
    );
  }
}
