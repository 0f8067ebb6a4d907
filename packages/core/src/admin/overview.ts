// The overview page's figures: tenants, clusters, capacity, failures, revenue and usage.
import { getDb } from "@nuage/db";
import { listCapacity } from "./capacity.ts";
import { recentFailedOperations } from "./clusters.ts";
import { tenantStatus, usageByDay } from "./tenants.ts";

async function revenue() {
  const exists = await getDb().$queryRaw<{ t: string | null }[]>`SELECT to_regclass('"Invoice"')::text AS t`;
  if (!exists[0]?.t) return null;
  const now = new Date();
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const lastStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const sums = await getDb().$queryRaw<{ month: Date; currency: string; total: bigint }[]>`
    SELECT date_trunc('month', "periodStart") AS month, "currency", SUM("totalMinor")::bigint AS total
    FROM "Invoice" WHERE "periodStart" >= ${lastStart} AND "status" <> 'void'
    GROUP BY 1, 2`;
  const pick = (start: Date) =>
    sums
      .filter((s) => s.month.getTime() === start.getTime())
      .map((s) => ({ currency: s.currency, totalMinor: Number(s.total) }));
  return { monthToDate: pick(monthStart), lastMonth: pick(lastStart) };
}

export async function adminOverview() {
  const db = getDb();
  const [orgs, clusters, nodes, failed, rev, usage] = await Promise.all([
    db.org.findMany({ select: { deletedAt: true, deletingAt: true, suspendedAt: true, trialEndsAt: true } }),
    db.cluster.groupBy({ by: ["status", "region"], where: { status: { not: "deleted" } }, _count: { _all: true } }),
    db.clusterNode.count({ where: { deletedAt: null } }),
    recentFailedOperations(24),
    revenue(),
    usageByDay(null),
  ]);
  const tenants = { active: 0, trial: 0, suspended: 0, deleting: 0, deleted: 0 };
  const now = new Date();
  for (const o of orgs) tenants[tenantStatus(o, now)]++;
  let capacity: Awaited<ReturnType<typeof listCapacity>>["regions"] | null = null;
  let hosts: { id: string; region: string; zone: string; state: string; usedVcpus: number; vcpus: number }[] = [];
  let capacityError: string | null = null;
  try {
    const c = await listCapacity();
    capacity = c.regions;
    hosts = c.hosts.map((h) => ({
      id: h.id,
      region: h.region,
      zone: h.zone,
      state: h.state,
      usedVcpus: h.used.vcpus,
      vcpus: h.capacity.vcpus,
    }));
  } catch (e) {
    capacityError = (e as Error).message;
  }
  return {
    tenants,
    clusters: clusters.map((c) => ({ status: c.status, region: c.region, count: c._count._all })),
    nodes,
    capacity,
    hosts,
    capacityError,
    failedOperations: failed,
    revenue: rev,
    usage,
  };
}
