// Reads of the usage ledger's rollups: what invoices (sumUsage) and the usage page (usageReport) show.
// Every query filters by orgId first (the rollup's primary key and index lead with it).
import { getDb } from "@nuage/db";
import { badInput } from "../errors.ts";
import { CLUSTER_METERS, DAY_MS, METER_INFO, type Meter, NAMESPACE_METERS } from "./meters.ts";

export interface UsageTotal {
  clusterId: string;
  meter: string;
  quantity: bigint;
}

/** Cluster-level meters of the org, summed over hour rollups in [from, to). Invoices are computed from this. */
export async function sumUsage(input: { orgId: string; from: Date; to: Date }): Promise<UsageTotal[]> {
  const rows = await getDb().$queryRaw<{ clusterId: string; meter: string; quantity: bigint }[]>`
    SELECT "clusterId", "meter", SUM("quantity")::bigint AS "quantity"
    FROM "UsageRollup"
    WHERE "orgId" = ${input.orgId} AND "period" = 'hour' AND "namespace" = ''
      AND "periodStart" >= ${input.from} AND "periodStart" < ${input.to}
      AND "meter" = ANY(${[...CLUSTER_METERS]}::text[])
    GROUP BY "clusterId", "meter"
    ORDER BY "clusterId", "meter"`;
  return rows.map((r) => ({ clusterId: r.clusterId, meter: r.meter, quantity: BigInt(r.quantity) }));
}

export type Granularity = "hour" | "day";

export interface UsageReportInput {
  orgId: string;
  from: Date;
  to: Date;
  granularity?: Granularity;
  clusterId?: string;
}

export interface UsageReport {
  from: Date;
  to: Date;
  granularity: Granularity;
  /** One point per period with data: quantities per meter (base units, as decimal strings). */
  series: { periodStart: Date; values: Partial<Record<Meter, string>> }[];
  byCluster: { clusterId: string; clusterName: string; values: Partial<Record<Meter, string>> }[];
  byNamespace: { clusterId: string; clusterName: string; namespace: string; values: Partial<Record<Meter, string>> }[];
}

/** The longest range the page asks for at once; longer ranges are refused naming the field. */
export const MAX_RANGE_DAYS = 400;
const MAX_HOURLY_DAYS = 31;

export function checkRange(from: Date, to: Date, granularity: Granularity): void {
  if (!(from < to)) throw badInput("to", "The end of the range must be after its start");
  const days = (to.getTime() - from.getTime()) / DAY_MS;
  if (days > MAX_RANGE_DAYS) throw badInput("from", `The range can span at most ${MAX_RANGE_DAYS} days`);
  if (granularity === "hour" && days > MAX_HOURLY_DAYS)
    throw badInput("granularity", `Hourly points cover at most ${MAX_HOURLY_DAYS} days; pick daily points`);
}

/** Series, per-cluster and per-namespace totals for the usage page, REST and CSV. */
export async function usageReport(input: UsageReportInput): Promise<UsageReport> {
  const granularity = input.granularity ?? "day";
  checkRange(input.from, input.to, granularity);
  const db = getDb();
  const cluster = input.clusterId ?? null;
  // One pass over the rollups: grouping sets give the series, the cluster and the namespace totals together.
  const rows = await db.$queryRaw<
    {
      kind: number;
      periodStart: Date | null;
      clusterId: string | null;
      namespace: string | null;
      meter: string;
      q: bigint;
    }[]
  >`
    SELECT GROUPING("periodStart","clusterId","namespace")::int AS "kind", "periodStart", "clusterId", "namespace",
           "meter", SUM("quantity")::bigint AS "q"
    FROM "UsageRollup"
    WHERE "orgId" = ${input.orgId} AND "period" = ${granularity}
      AND "periodStart" >= ${input.from} AND "periodStart" < ${input.to}
      AND (${cluster}::text IS NULL OR "clusterId" = ${cluster}::text)
    GROUP BY GROUPING SETS (("periodStart","meter"), ("clusterId","meter"), ("clusterId","namespace","meter"))`;
  const ids = new Set<string>();
  for (const r of rows) if (r.clusterId) ids.add(r.clusterId);
  const names = new Map(
    (
      await db.cluster.findMany({
        where: { orgId: input.orgId, id: { in: [...ids] } },
        select: { id: true, name: true },
      })
    ).map((c) => [c.id, c.name]),
  );
  const series = new Map<number, Partial<Record<Meter, string>>>();
  const byCluster = new Map<string, Partial<Record<Meter, string>>>();
  const byNs = new Map<string, { clusterId: string; namespace: string; values: Partial<Record<Meter, string>> }>();
  const nsMeters = new Set<string>(NAMESPACE_METERS);
  for (const r of rows) {
    const meter = r.meter as Meter;
    const q = BigInt(r.q).toString();
    // GROUPING bits (periodStart, clusterId, namespace): 1 = column aggregated away.
    if (r.kind === 0b011 && r.periodStart) {
      const k = r.periodStart.getTime();
      const v = series.get(k) ?? {};
      v[meter] = q;
      series.set(k, v);
    } else if (r.kind === 0b101 && r.clusterId) {
      const v = byCluster.get(r.clusterId) ?? {};
      v[meter] = q;
      byCluster.set(r.clusterId, v);
    } else if (r.kind === 0b100 && r.clusterId && r.namespace && nsMeters.has(meter)) {
      const key = `${r.clusterId}/${r.namespace}`;
      const e = byNs.get(key) ?? { clusterId: r.clusterId, namespace: r.namespace, values: {} };
      e.values[meter] = q;
      byNs.set(key, e);
    }
  }
  const nameOf = (id: string) => names.get(id) ?? "(deleted cluster)";
  return {
    from: input.from,
    to: input.to,
    granularity,
    series: [...series.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([k, values]) => ({ periodStart: new Date(k), values })),
    byCluster: [...byCluster.entries()]
      .map(([clusterId, values]) => ({ clusterId, clusterName: nameOf(clusterId), values }))
      .sort((a, b) => a.clusterName.localeCompare(b.clusterName)),
    byNamespace: [...byNs.values()]
      .map((e) => ({ ...e, clusterName: nameOf(e.clusterId) }))
      .sort((a, b) => a.clusterName.localeCompare(b.clusterName) || a.namespace.localeCompare(b.namespace)),
  };
}

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** CSV of the rollups in range: one line per period, cluster, namespace and meter, base units and display units. */
export async function usageCsv(input: UsageReportInput): Promise<string> {
  const granularity = input.granularity ?? "day";
  checkRange(input.from, input.to, granularity);
  const db = getDb();
  const rows = await db.usageRollup.findMany({
    where: {
      orgId: input.orgId,
      period: granularity,
      periodStart: { gte: input.from, lt: input.to },
      ...(input.clusterId ? { clusterId: input.clusterId } : {}),
    },
    orderBy: [{ periodStart: "asc" }, { clusterId: "asc" }, { namespace: "asc" }, { meter: "asc" }],
  });
  const names = new Map(
    (
      await db.cluster.findMany({
        where: { orgId: input.orgId, id: { in: [...new Set(rows.map((r) => r.clusterId))] } },
        select: { id: true, name: true },
      })
    ).map((c) => [c.id, c.name]),
  );
  const lines = ["period_start,cluster_id,cluster_name,namespace,meter,quantity,display_quantity,display_unit"];
  for (const r of rows) {
    const info = METER_INFO[r.meter as Meter];
    const display = info ? (Number(r.quantity) / info.divisor).toFixed(4) : "";
    lines.push(
      [
        r.periodStart.toISOString(),
        r.clusterId,
        names.get(r.clusterId) ?? "",
        r.namespace,
        r.meter,
        r.quantity.toString(),
        display,
        info?.unit ?? "",
      ]
        .map(csvCell)
        .join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}

export { CLUSTER_METERS, METER_INFO, NAMESPACE_METERS };
