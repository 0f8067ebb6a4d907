// Invoices: one per org per UTC month. `refreshInvoices` recomputes drafts from the day rollups in a few set-based
// statements (all orgs at once, or one org); with `finalize` it also applies credits and freezes them. Finalized
// invoices are never touched again, so closing a month twice changes nothing.
import { getDb, Prisma } from "@nuage/db";
import { now } from "../clock.ts";
import { AppError } from "../errors.ts";
import { rollupDirty } from "../metering/rollup.ts";
import { currentPriceBook, getPriceBook, orgPricing, type PlanKey } from "./pricebook.ts";
import {
  BILLED_METER_LIST,
  monthEnd,
  monthStart,
  type PricedTotals,
  priceRows,
  priceUsage,
  type UsageQuantity,
} from "./pricing.ts";
import { billingTestOrgs, stripeEnabled } from "./stripe.ts";

export interface RefreshResult {
  periodStart: Date;
  invoices: number;
  finalized: number;
}

/**
 * Recomputes the draft invoices of the month starting at `periodStart` (every org that existed during it, or
 * only `orgId`), from the day rollups, with the current price book. With `finalize`, applies credits and marks
 * them finalized. Serialised per month by an advisory lock.
 */
export async function refreshInvoices(input: {
  periodStart: Date;
  orgId?: string;
  finalize?: boolean;
}): Promise<RefreshResult> {
  const start = monthStart(input.periodStart);
  const end = monthEnd(start);
  const book = await currentPriceBook();
  const prices = JSON.stringify(priceRows(book.plans, start));
  const org = (col: string) => (input.orgId ? Prisma.sql`AND ${Prisma.raw(col)} = ${input.orgId}` : Prisma.empty);
  const paymentDefault = stripeEnabled() ? "pending" : "not_collected";
  const at = now();
  const timing = process.env.NUAGE_BILLING_TIMING === "1";
  let t0 = Date.now();
  const lap = (what: string) => {
    if (timing) console.log(`[billing] ${what}: ${Date.now() - t0} ms`);
    t0 = Date.now();
  };
  return getDb().$transaction(
    async (tx) => {
      // The all-org close takes the month exclusively; one org's refresh shares the month and locks only its org,
      // so billing pages of different orgs do not wait on each other.
      const monthKey = `nuage-invoice-${start.toISOString()}`;
      if (input.orgId) {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(hashtext(${monthKey}))`;
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`${monthKey}-${input.orgId}`}))`;
      } else await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${monthKey}))`;
      const invoices = await tx.$executeRaw`
        INSERT INTO "Invoice" ("id","orgId","periodStart","periodEnd","status","plan","priceVersion","currency","paymentStatus","updatedAt")
        SELECT 'inv_' || replace(gen_random_uuid()::text, '-', ''), o."id", ${start}, ${end}, 'draft', o."plan",
               ${book.version}, ${book.currency}, ${paymentDefault}, now()
        FROM "Org" o
        WHERE o."createdAt" < ${end} AND (o."deletedAt" IS NULL OR o."deletedAt" >= ${start}) ${org('o."id"')}
        ON CONFLICT ("orgId","periodStart") DO UPDATE SET "plan" = EXCLUDED."plan", "priceVersion" = EXCLUDED."priceVersion",
          "currency" = EXCLUDED."currency"
        WHERE "Invoice"."status" = 'draft'`;
      // All orgs at once: the rows just written change the tables' size by orders of magnitude; fresh statistics
      // (ANALYZE sees this transaction's rows) keep the planner on hash joins instead of nested loops.
      const analyze = async (table: "Invoice" | "InvoiceLine") => {
        if (!input.orgId) await tx.$executeRawUnsafe(`ANALYZE "${table}"`);
      };
      await analyze("Invoice");
      lap("invoices");
      await tx.$executeRaw`
        DELETE FROM "InvoiceLine" l USING "Invoice" i
        WHERE l."invoiceId" = i."id" AND i."periodStart" = ${start} AND i."status" = 'draft' ${org('i."orgId"')}`;
      lap("delete lines");
      await tx.$executeRaw`
        WITH p AS (SELECT * FROM jsonb_to_recordset(${prices}::jsonb) AS x(plan text, meter text, price numeric, size numeric, included numeric)),
        u AS (
          SELECT "orgId", "clusterId", "meter", SUM("quantity") AS q FROM "UsageRollup"
          WHERE "period" = 'day' AND "periodStart" >= ${start} AND "periodStart" < ${end}
            AND "meter" = ANY(${BILLED_METER_LIST}::text[]) ${org('"orgId"')}
          GROUP BY "orgId", "clusterId", "meter" HAVING SUM("quantity") <> 0)
        INSERT INTO "InvoiceLine" ("id","invoiceId","orgId","clusterId","meter","kind","quantity","unitPriceMicro","amountMinor")
        SELECT 'il_' || replace(gen_random_uuid()::text, '-', ''), i."id", i."orgId", u."clusterId", u."meter", 'usage', u.q,
               p.price, round(u.q * p.price / (p.size * 1000000))
        FROM u JOIN "Invoice" i ON i."orgId" = u."orgId" AND i."periodStart" = ${start} AND i."status" = 'draft'
        JOIN p ON p.plan = i."plan" AND p.meter = u."meter"`;
      await analyze("InvoiceLine");
      lap("usage lines");
      await tx.$executeRaw`
        WITH p AS (SELECT * FROM jsonb_to_recordset(${prices}::jsonb) AS x(plan text, meter text, price numeric, size numeric, included numeric)),
        t AS (
          SELECT i."id", i."orgId", l."meter", LEAST(SUM(l."quantity"), p.included) AS q, p.price, p.size
          FROM "InvoiceLine" l JOIN "Invoice" i ON i."id" = l."invoiceId"
          JOIN p ON p.plan = i."plan" AND p.meter = l."meter"
          WHERE i."periodStart" = ${start} AND i."status" = 'draft' AND l."kind" = 'usage' ${org('i."orgId"')}
          GROUP BY i."id", i."orgId", l."meter", p.included, p.price, p.size)
        INSERT INTO "InvoiceLine" ("id","invoiceId","orgId","clusterId","meter","kind","quantity","unitPriceMicro","amountMinor")
        SELECT 'il_' || replace(gen_random_uuid()::text, '-', ''), t."id", t."orgId", '', t."meter", 'included', t.q, t.price,
               -round(t.q * t.price / (t.size * 1000000))
        FROM t WHERE t.q > 0`;
      lap("included lines");
      await tx.$executeRaw`
        WITH t AS (
          SELECT i."id", i."orgId",
                 COALESCE(SUM(l."amountMinor") FILTER (WHERE l."kind" = 'usage'), 0) AS sub,
                 COALESCE(-SUM(l."amountMinor") FILTER (WHERE l."kind" = 'included'), 0) AS inc
          FROM "Invoice" i LEFT JOIN "InvoiceLine" l ON l."invoiceId" = i."id"
          WHERE i."periodStart" = ${start} AND i."status" = 'draft' ${org('i."orgId"')}
          GROUP BY i."id", i."orgId"),
        cb AS (
          SELECT c."orgId", SUM(c."amountMinor") AS bal FROM "CreditEntry" c
          WHERE c."orgId" IN (SELECT "orgId" FROM t) GROUP BY c."orgId"),
        v AS (SELECT t.*, LEAST(GREATEST(COALESCE(cb.bal, 0), 0), t.sub - t.inc) AS cr FROM t LEFT JOIN cb ON cb."orgId" = t."orgId")
        UPDATE "Invoice" i SET "subtotalMinor" = v.sub, "includedMinor" = v.inc, "creditMinor" = v.cr,
          "totalMinor" = v.sub - v.inc - v.cr, "updatedAt" = now()
        FROM v WHERE i."id" = v."id"`;
      let finalized = 0;
      if (input.finalize) {
        lap("totals");
        await tx.$executeRaw`
          INSERT INTO "CreditEntry" ("id","orgId","amountMinor","reason","invoiceId")
          SELECT 'cr_' || replace(gen_random_uuid()::text, '-', ''), i."orgId", -i."creditMinor",
                 'Applied to the invoice of ' || to_char(i."periodStart", 'YYYY-MM'), i."id"
          FROM "Invoice" i WHERE i."periodStart" = ${start} AND i."status" = 'draft' AND i."creditMinor" > 0 ${org('i."orgId"')}
          ON CONFLICT ("invoiceId") DO NOTHING`;
        finalized = await tx.$executeRaw`
          UPDATE "Invoice" SET "status" = 'finalized', "finalizedAt" = ${at}, "updatedAt" = now()
          WHERE "periodStart" = ${start} AND "status" = 'draft' ${org('"orgId"')}`;
      }
      lap("finalize");
      return { periodStart: start, invoices, finalized };
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
}

/**
 * Closes every month that ended at least `lagMs` ago and still has drafts (normally just the previous one), once
 * the collector has metered every cluster past the month's end (a worker that was down would otherwise freeze
 * the month without its last windows); after `billingCloseMaxWaitMs` the month is closed anyway, with a warning.
 * Idempotent: a month with no drafts left is skipped.
 */
export async function closeDueMonths(lagMs = billingCloseLagMs()): Promise<RefreshResult[]> {
  const t = now();
  const orgIds = billingTestOrgs();
  const scope = orgIds ? { orgId: { in: orgIds } } : {};
  const cutoff = monthStart(new Date(t.getTime() - lagMs));
  const due = await getDb().invoice.findMany({
    where: { status: "draft", periodStart: { lt: cutoff }, ...scope },
    distinct: ["periodStart"],
    select: { periodStart: true },
  });
  const previous = monthStart(new Date(cutoff.getTime() - 1));
  const months = new Map(due.map((d) => [d.periodStart.getTime(), d.periodStart]));
  const closed = await getDb().invoice.findFirst({
    where: { periodStart: previous, status: "finalized", ...scope },
    select: { id: true },
  });
  if (!closed) months.set(previous.getTime(), previous);
  const out: RefreshResult[] = [];
  for (const m of [...months.values()].sort((a, b) => a.getTime() - b.getTime())) {
    const behind = await clustersNotMeteredUntil(monthEnd(m), orgIds);
    if (behind.length) {
      const waited = t.getTime() - monthEnd(m).getTime();
      if (waited < billingCloseMaxWaitMs()) break; // the next run closes it (and the months after it)
      console.warn(
        `[billing] closing ${m.toISOString().slice(0, 7)} although ${behind.length} cluster(s) are not metered to its end (${behind.slice(0, 5).join(", ")})`,
      );
    }
    // The month's hours must be rolled up before its invoices are frozen.
    await rollupUntil(monthEnd(m));
    if (orgIds) for (const orgId of orgIds) out.push(await refreshInvoices({ periodStart: m, orgId, finalize: true }));
    else out.push(await refreshInvoices({ periodStart: m, finalize: true }));
  }
  return out;
}

/** Recomputes the current month's drafts from the ledger (what the billing page and the admin console show). */
export async function refreshCurrentDrafts(): Promise<RefreshResult[]> {
  const current = monthStart(now());
  const orgIds = billingTestOrgs();
  await rollupUntil(monthEnd(current));
  if (!orgIds) return [await refreshInvoices({ periodStart: current })];
  const out: RefreshResult[] = [];
  for (const orgId of orgIds) out.push(await refreshInvoices({ periodStart: current, orgId }));
  return out;
}

async function rollupUntil(end: Date): Promise<void> {
  while (
    await getDb().usageRollupDirty.findFirst({
      where: { hourStart: { lt: end } },
      select: { clusterId: true },
    })
  ) {
    if ((await rollupDirty(500)) === 0) break;
  }
}

/**
 * Clusters that held resources during the month ending at `end` but whose metering cursor has not reached the
 * month's end (or, for a cluster deleted earlier, its deletion): their last windows are not in the ledger yet.
 */
async function clustersNotMeteredUntil(end: Date, orgIds: string[] | null): Promise<string[]> {
  const start = monthStart(new Date(end.getTime() - 1));
  const rows = await getDb().$queryRaw<{ id: string }[]>`
    SELECT c."id" FROM "Cluster" c LEFT JOIN "MeteringClusterState" s ON s."clusterId" = c."id"
    WHERE c."createdAt" < ${end}
      AND (c."status" <> 'deleted' OR COALESCE(c."deletedAt", c."updatedAt") >= ${start})
      AND COALESCE(s."reconciledUntil", c."createdAt") <
          LEAST(${end}::timestamp(3), CASE WHEN c."status" = 'deleted' THEN COALESCE(c."deletedAt", c."updatedAt") ELSE ${end}::timestamp(3) END)
      ${orgIds ? Prisma.sql`AND c."orgId" = ANY(${orgIds}::text[])` : Prisma.empty}
    LIMIT 100`;
  return rows.map((r) => r.id);
}

/** How long after a month's end closing waits for the collector (default 3 days, its catch-up slice). */
export function billingCloseMaxWaitMs(): number {
  const v = Number(process.env.NUAGE_BILLING_CLOSE_MAX_WAIT_MS ?? 72 * 3600_000);
  return Number.isFinite(v) && v >= 0 ? v : 72 * 3600_000;
}

export function billingCloseLagMs(): number {
  const v = Number(process.env.NUAGE_BILLING_CLOSE_LAG_MS ?? 2 * 3600_000);
  return Number.isFinite(v) && v >= 0 ? v : 2 * 3600_000;
}

export interface InvoiceLineView {
  clusterId: string;
  clusterName: string;
  meter: string;
  kind: string;
  quantity: string;
  unitPriceMicro: string;
  amountMinor: bigint;
}

export interface InvoiceView {
  id: string;
  orgId: string;
  orgName: string;
  periodStart: Date;
  periodEnd: Date;
  status: string;
  plan: string;
  priceVersion: number;
  currency: string;
  subtotalMinor: bigint;
  includedMinor: bigint;
  creditMinor: bigint;
  totalMinor: bigint;
  paymentStatus: string;
  hostedUrl: string | null;
  finalizedAt: Date | null;
}

type InvoiceRow = Prisma.InvoiceGetPayload<object>;

function invoiceView(i: InvoiceRow, orgName: string): InvoiceView {
  return {
    id: i.id,
    orgId: i.orgId,
    orgName,
    periodStart: i.periodStart,
    periodEnd: i.periodEnd,
    status: i.status,
    plan: i.plan,
    priceVersion: i.priceVersion,
    currency: i.currency,
    subtotalMinor: i.subtotalMinor,
    includedMinor: i.includedMinor,
    creditMinor: i.creditMinor,
    totalMinor: i.totalMinor,
    paymentStatus: i.paymentStatus,
    hostedUrl: i.hostedUrl,
    finalizedAt: i.finalizedAt,
  };
}

async function orgName(orgId: string): Promise<string> {
  const o = await getDb().org.findUnique({ where: { id: orgId }, select: { name: true } });
  return o?.name ?? "";
}

/** The org's invoices, newest first (the current month's draft refreshed first). */
export async function listInvoices(orgId: string): Promise<InvoiceView[]> {
  await refreshInvoices({ periodStart: now(), orgId });
  const rows = await getDb().invoice.findMany({ where: { orgId }, orderBy: { periodStart: "desc" }, take: 120 });
  const name = await orgName(orgId);
  return rows.map((r) => invoiceView(r, name));
}

/** One invoice with its lines; another org's id is NOT_FOUND. */
export async function getInvoice(orgId: string, id: string): Promise<InvoiceView & { lines: InvoiceLineView[] }> {
  const db = getDb();
  const inv = await db.invoice.findFirst({ where: { id, orgId }, include: { lines: true } });
  if (!inv) throw new AppError("NOT_FOUND", "Invoice not found");
  const ids = [...new Set(inv.lines.map((l) => l.clusterId).filter(Boolean))];
  const clusters = ids.length
    ? await db.cluster.findMany({ where: { orgId, id: { in: ids } }, select: { id: true, name: true } })
    : [];
  const names = new Map(clusters.map((c) => [c.id, c.name]));
  const lines = inv.lines
    .map((l) => ({
      clusterId: l.clusterId,
      clusterName: l.clusterId ? (names.get(l.clusterId) ?? l.clusterId) : "",
      meter: l.meter,
      kind: l.kind,
      quantity: l.quantity.toString(),
      unitPriceMicro: l.unitPriceMicro.toString(),
      amountMinor: l.amountMinor,
    }))
    .sort(
      (a, b) =>
        (a.kind === b.kind ? 0 : a.kind === "usage" ? -1 : 1) ||
        a.clusterName.localeCompare(b.clusterName) ||
        a.meter.localeCompare(b.meter),
    );
  return { ...invoiceView(inv, await orgName(orgId)), lines };
}

/** The month's usage as its invoice reads it: day rollups of the billed meters, per cluster and meter. */
export async function monthUsage(orgId: string, periodStart: Date): Promise<UsageQuantity[]> {
  const start = monthStart(periodStart);
  const rows = await getDb().$queryRaw<{ clusterId: string; meter: string; q: bigint }[]>`
    SELECT "clusterId", "meter", SUM("quantity")::bigint AS q FROM "UsageRollup"
    WHERE "orgId" = ${orgId} AND "period" = 'day' AND "periodStart" >= ${start} AND "periodStart" < ${monthEnd(start)}
      AND "meter" = ANY(${BILLED_METER_LIST}::text[])
    GROUP BY "clusterId", "meter"`;
  return rows.map((r) => ({ clusterId: r.clusterId, meter: r.meter, quantity: BigInt(r.q) }));
}

/**
 * What the month's invoice comes to so far (usage − included − credit, the billing page's month-to-date),
 * priced with the org's plan in the current price book, without writing the draft.
 */
export async function monthToDateMinor(orgId: string, t = now()): Promise<bigint> {
  const start = monthStart(t);
  const [pricing, usage, balance] = await Promise.all([
    orgPricing(orgId),
    monthUsage(orgId, start),
    creditBalance(orgId),
  ]);
  return priceUsage(pricing, usage, start, balance).totalMinor;
}

export async function creditBalance(orgId: string): Promise<bigint> {
  const r = await getDb().creditEntry.aggregate({ where: { orgId }, _sum: { amountMinor: true } });
  return r._sum.amountMinor ?? 0n;
}

/** Platform admins: grants (positive) or removes (negative) credit. */
export async function grantCredit(input: {
  orgId: string;
  amountMinor: bigint;
  reason: string;
  createdById: string | null;
}) {
  const org = await getDb().org.findUnique({ where: { id: input.orgId }, select: { id: true } });
  if (!org) throw new AppError("NOT_FOUND", "Organization not found", { field: "orgId" });
  if (input.amountMinor === 0n)
    throw new AppError("BAD_REQUEST", "amountMinor cannot be zero", { field: "amountMinor" });
  await getDb().creditEntry.create({
    data: { orgId: input.orgId, amountMinor: input.amountMinor, reason: input.reason, createdById: input.createdById },
  });
  return { orgId: input.orgId, balanceMinor: await creditBalance(input.orgId) };
}

export interface BillingSummary {
  periodStart: Date;
  periodEnd: Date;
  plan: PlanKey;
  priceVersion: number;
  currency: string;
  monthToDate: {
    subtotalMinor: bigint;
    includedMinor: bigint;
    creditMinor: bigint;
    totalMinor: bigint;
    invoiceId: string;
  };
  forecastMinor: bigint;
  creditBalanceMinor: bigint;
  /** Cost per day of the month so far (usage lines, before included amounts and credits). */
  daily: { day: Date; amountMinor: bigint }[];
}

/** Month-to-date (the refreshed draft), a linear forecast to the month's end, and the daily cost series. */
export async function billingSummary(orgId: string): Promise<BillingSummary> {
  const t = now();
  const start = monthStart(t);
  const end = monthEnd(start);
  await refreshInvoices({ periodStart: start, orgId });
  const inv = await getDb().invoice.findUniqueOrThrow({ where: { orgId_periodStart: { orgId, periodStart: start } } });
  const book = await getPriceBook(inv.priceVersion);
  const plan = book.plans[inv.plan as PlanKey] ?? book.plans.free;
  const rows = await getDb().$queryRaw<{ clusterId: string; meter: string; day: Date; q: bigint }[]>`
    SELECT "clusterId", "meter", "periodStart" AS day, SUM("quantity")::bigint AS q FROM "UsageRollup"
    WHERE "orgId" = ${orgId} AND "period" = 'day' AND "periodStart" >= ${start} AND "periodStart" < ${end}
      AND "meter" = ANY(${BILLED_METER_LIST}::text[])
    GROUP BY "clusterId", "meter", "periodStart"`;
  const days = new Map<number, { clusterId: string; meter: string; quantity: bigint }[]>();
  for (const r of rows) {
    const k = new Date(r.day).getTime();
    days.set(k, [...(days.get(k) ?? []), { clusterId: r.clusterId, meter: r.meter, quantity: BigInt(r.q) }]);
  }
  const daily = [...days.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([k, u]) => ({
      day: new Date(k),
      amountMinor: priceUsage({ ...plan, included: zeroIncluded(plan) }, u, start).subtotalMinor,
    }));
  const elapsed = BigInt(Math.max(1, Math.floor((t.getTime() - start.getTime()) / 1000)));
  const total = BigInt(Math.floor((end.getTime() - start.getTime()) / 1000));
  const scaled = rows.map((r) => ({
    clusterId: r.clusterId,
    meter: r.meter,
    quantity: (BigInt(r.q) * total) / elapsed,
  }));
  const balance = await creditBalance(orgId);
  const forecast: PricedTotals = priceUsage(plan, scaled, start, balance);
  return {
    periodStart: start,
    periodEnd: end,
    plan: inv.plan as PlanKey,
    priceVersion: inv.priceVersion,
    currency: inv.currency,
    monthToDate: {
      subtotalMinor: inv.subtotalMinor,
      includedMinor: inv.includedMinor,
      creditMinor: inv.creditMinor,
      totalMinor: inv.totalMinor,
      invoiceId: inv.id,
    },
    forecastMinor: forecast.totalMinor,
    creditBalanceMinor: balance,
    daily,
  };
}

function zeroIncluded<P extends { included: Record<string, number> }>(plan: P): P["included"] {
  return Object.fromEntries(Object.keys(plan.included).map((k) => [k, 0])) as P["included"];
}
