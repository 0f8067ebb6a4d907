// Reads of the usage ledger's rollups: what invoices (sumUsage) and the usage page (usageReport) show.
// Every query filters by orgId first (the rollup's primary key and index lead with it).
import { getDb, Prisma } from "@nuage/db";
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

type Segment = { period: "hour" | "day" | "month"; start: Date; end: Date };

const HOUR = 3_600_000;
const ceilTo = (ms: number, step: number) => Math.ceil(ms / step) * step;
const floorTo = (ms: number, step: number) => Math.floor(ms / step) * step;
const monthStartMs = (ms: number) => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
};
const nextMonthMs = (ms: number) => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
};

/**
 * The rollup rows whose period start lies in [from, to) at `granularity`, as the fewest rows: hours at the
 * edges of whole days, days at the edges of whole months, whole months in between.
 */
export function segmentsOf(from: Date, to: Date, granularity: Granularity): Segment[] {
  const out: Segment[] = [];
  const push = (period: Segment["period"], a: number, b: number) => {
    if (a < b) out.push({ period, start: new Date(a), end: new Date(b) });
  };
  let a = from.getTime();
  let b = to.getTime();
  if (granularity === "hour") {
    a = ceilTo(a, HOUR);
    b = ceilTo(b, HOUR);
    const da = ceilTo(a, DAY_MS);
    const db = floorTo(b, DAY_MS);
    if (da >= db) {
      push("hour", a, b);
      return out;
    }
    push("hour", a, da);
    push("hour", db, b);
    a = da;
    b = db;
  } else {
    a = ceilTo(a, DAY_MS);
    b = ceilTo(b, DAY_MS);
  }
  const ma = a === monthStartMs(a) ? a : nextMonthMs(a);
  const mb = monthStartMs(b);
  if (ma >= mb) {
    push("day", a, b);
    return out;
  }
  push("day", a, ma);
  push("day", mb, b);
  for (let m = ma; m < mb; m = nextMonthMs(m)) push("month", m, nextMonthMs(m));
  return out;
}

/** A segment read with `sign` -1 is subtracted: a month minus the days of it outside the range. */
export type SignedSegment = Segment & { sign: 1 | -1 };

/**
 * `segmentsOf`, with each run of days that covers most of its month read as the month minus the days outside
 * the range (exact: a month row is the sum of its day rows, both written in the same transaction). A rolling
 * 90-day range then reads about 3 months and 10 days of rows per namespace instead of 3 months and 30 days.
 */
export function signedSegmentsOf(from: Date, to: Date, granularity: Granularity): SignedSegment[] {
  const out: SignedSegment[] = [];
  for (const g of segmentsOf(from, to, granularity)) {
    if (g.period !== "day") {
      out.push({ ...g, sign: 1 });
      continue;
    }
    // A day segment lies within one month, or two when the range holds no whole month: one part per month.
    for (let a = g.start.getTime(); a < g.end.getTime(); a = nextMonthMs(a)) {
      const b = Math.min(g.end.getTime(), nextMonthMs(a));
      const ms = monthStartMs(a);
      const me = nextMonthMs(a);
      const inside = (b - a) / DAY_MS;
      const outside = (a - ms + me - b) / DAY_MS;
      if (1 + outside >= inside) {
        out.push({ period: "day", start: new Date(a), end: new Date(b), sign: 1 });
        continue;
      }
      out.push({ period: "month", start: new Date(ms), end: new Date(me), sign: 1 });
      if (ms < a) out.push({ period: "day", start: new Date(ms), end: new Date(a), sign: -1 });
      if (b < me) out.push({ period: "day", start: new Date(b), end: new Date(me), sign: -1 });
    }
  }
  return out;
}

function whereSegments(segs: Segment[]): Prisma.Sql {
  if (segs.length === 0) return Prisma.sql`FALSE`;
  return Prisma.sql`(${Prisma.join(
    segs.map((g) => Prisma.sql`("period" = ${g.period} AND "periodStart" >= ${g.start} AND "periodStart" < ${g.end})`),
    " OR ",
  )})`;
}

/** `SUM` of the quantity over the segments' rows, the subtracted ones negated. */
function signedSum(segs: SignedSegment[]): Prisma.Sql {
  const minus = segs.filter((g) => g.sign < 0);
  if (minus.length === 0) return Prisma.sql`SUM("quantity")`;
  return Prisma.sql`SUM(CASE WHEN ${whereSegments(minus)} THEN -"quantity" ELSE "quantity" END)`;
}

type Row = { clusterId?: string; namespace?: string; periodStart?: Date; meter: string; q: bigint };

/**
 * Series, per-cluster and per-namespace totals for the usage page, REST and CSV. Three queries in parallel,
 * none of which reads samples: the series and the cluster totals read the clusters' "*" summaries, the
 * namespace totals the day (or hour) rollups at the edges and the month summaries.
 */
export async function usageReport(input: UsageReportInput): Promise<UsageReport> {
  const granularity = input.granularity ?? "day";
  checkRange(input.from, input.to, granularity);
  const db = getDb();
  const org = input.orgId;
  const cluster = input.clusterId ? Prisma.sql`AND "clusterId" = ${input.clusterId}` : Prisma.empty;
  const segs = signedSegmentsOf(input.from, input.to, granularity);
  const fine = segs.filter((g) => g.period !== "month");
  const months = segs.filter((g) => g.period === "month");
  const range = Prisma.sql`"period" = ${granularity} AND "periodStart" >= ${input.from} AND "periodStart" < ${input.to}`;
  // A total of 0 can only come from a subtraction (quantities are positive): such a key had no row in range.
  const [seriesRows, clusterRows, nsRows] = await Promise.all([
    db.$queryRaw<Row[]>`
      SELECT "periodStart", "meter", SUM("quantity")::bigint AS "q" FROM "UsageSummary"
      WHERE "orgId" = ${org} AND "namespace" = '*' AND ${range} ${cluster}
      GROUP BY "periodStart", "meter"`,
    db.$queryRaw<Row[]>`
      SELECT "clusterId", "meter", ${signedSum(segs)}::bigint AS "q" FROM "UsageSummary"
      WHERE "orgId" = ${org} AND "namespace" = '*' AND ${whereSegments(segs)} ${cluster}
      GROUP BY "clusterId", "meter"
      HAVING ${signedSum(segs)} <> 0`,
    db.$queryRaw<Row[]>`
      SELECT "clusterId", "namespace", "meter", SUM("q")::bigint AS "q" FROM (
        SELECT "clusterId","namespace","meter",${signedSum(fine)} AS "q" FROM "UsageRollup"
        WHERE "orgId" = ${org} AND "namespace" <> '' AND ${whereSegments(fine)} ${cluster}
        GROUP BY "clusterId","namespace","meter"
        UNION ALL
        SELECT "clusterId","namespace","meter","quantity" FROM "UsageSummary"
        WHERE "orgId" = ${org} AND "namespace" NOT IN ('', '*') AND ${whereSegments(months)} ${cluster}) x
      GROUP BY "clusterId", "namespace", "meter"
      HAVING SUM("q") <> 0`,
  ]);
  const ids = new Set<string>();
  for (const r of clusterRows) if (r.clusterId) ids.add(r.clusterId);
  const names = new Map(
    (
      await db.cluster.findMany({
        where: { orgId: org, id: { in: [...ids] } },
        select: { id: true, name: true },
      })
    ).map((c) => [c.id, c.name]),
  );
  const series = new Map<number, Partial<Record<Meter, string>>>();
  const byCluster = new Map<string, Partial<Record<Meter, string>>>();
  const byNs = new Map<string, { clusterId: string; namespace: string; values: Partial<Record<Meter, string>> }>();
  const nsMeters = new Set<string>(NAMESPACE_METERS);
  for (const r of seriesRows) {
    if (!r.periodStart) continue;
    const k = r.periodStart.getTime();
    const v = series.get(k) ?? {};
    v[r.meter as Meter] = BigInt(r.q).toString();
    series.set(k, v);
  }
  for (const r of clusterRows) {
    if (!r.clusterId) continue;
    const v = byCluster.get(r.clusterId) ?? {};
    v[r.meter as Meter] = BigInt(r.q).toString();
    byCluster.set(r.clusterId, v);
  }
  for (const r of nsRows) {
    if (!r.clusterId || !r.namespace || !nsMeters.has(r.meter)) continue;
    const key = `${r.clusterId}/${r.namespace}`;
    const e = byNs.get(key) ?? { clusterId: r.clusterId, namespace: r.namespace, values: {} };
    e.values[r.meter as Meter] = BigInt(r.q).toString();
    byNs.set(key, e);
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
