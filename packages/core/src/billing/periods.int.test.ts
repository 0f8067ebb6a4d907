// A cluster runs for three simulated billing periods (Jan–Mar 2025) with scaling in between, on the controllable
// clock. The collector's capacity function turns the provider's records into ledger samples, rollups run, usage is
// reported to the fake Stripe server hourly (with 429s and a simulated crash), months are closed by the same job
// the worker runs. The invoices must equal the hand-computed amounts to the cent, and the meter events Stripe
// recorded must equal the ledger exactly.
import { randomBytes } from "node:crypto";
import { getDb } from "@nuage/db";
import type { UsageRecord } from "@nuage/providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setClock } from "../clock.ts";
import { capacitySamples } from "../metering/capacity.ts";
import { recordSamples } from "../metering/ledger.ts";
import type { Sample } from "../metering/meters.ts";
import { rollupAll } from "../metering/rollup.ts";
import { closeDueMonths, getInvoice, grantCredit, listInvoices } from "./invoices.ts";
import { setOrgPlan } from "./pricebook.ts";
import { BILLED_METER_LIST } from "./pricing.ts";
import { ensureCustomer, reportUsage } from "./stripe.ts";
import { StripeFake } from "./testing/stripe-fake.ts";

const tag = `h6b-${randomBytes(4).toString("hex")}`;
const H = 3600_000;
const D = 24 * H;
const T = (s: string) => new Date(`${s}Z`);
let fake: StripeFake;
let orgId = "";
const clusterId = `${tag}-cluster`;
const saved: Record<string, string | undefined> = {};

// The provider's records: what it billed, with create/delete times.
const records: UsageRecord[] = [
  { kind: "controlplane", id: `${tag}-cp`, clusterId, createdAt: T("2025-01-10T00:00:00"), deletedAt: null },
  {
    kind: "machine",
    id: `${tag}-m1`,
    clusterId,
    flavor: "s-2vcpu-4gb",
    createdAt: T("2025-01-10T00:00:00"),
    deletedAt: null,
  },
  {
    kind: "machine",
    id: `${tag}-m2`,
    clusterId,
    flavor: "s-2vcpu-4gb",
    createdAt: T("2025-01-10T00:00:00"),
    deletedAt: null,
  },
  // scale up (and HA on) mid-February, scale down early March
  {
    kind: "machine",
    id: `${tag}-m3`,
    clusterId,
    flavor: "s-2vcpu-4gb",
    createdAt: T("2025-02-14T12:00:00"),
    deletedAt: T("2025-03-05T06:00:00"),
  },
  {
    kind: "loadbalancer",
    id: `${tag}-lb`,
    clusterId,
    createdAt: T("2025-03-01T00:00:00"),
    deletedAt: T("2025-03-20T00:00:00"),
  },
];
const haFrom = T("2025-02-14T12:00:00").getTime();
const storageFrom = T("2025-01-15T00:00:00").getTime();

function samplesOfDay(day: number): Sample[] {
  const out: Sample[] = [];
  for (let h = day; h < day + D; h += H) {
    out.push(
      ...capacitySamples({
        orgId,
        clusterId,
        records,
        from: new Date(h),
        to: new Date(h + H),
        seconds: 3600,
        haControlPlane: h >= haFrom,
        onTimeFrom: new Date(h),
      }),
    );
    // a 10 GiB volume in namespace "app"
    if (h >= storageFrom) {
      out.push({
        orgId,
        clusterId,
        namespace: "app",
        meter: "storage_mib_seconds",
        windowStart: new Date(h),
        windowSeconds: 3600,
        quantity: 10240n * 3600n,
        source: "collector",
      });
    }
  }
  return out;
}

beforeAll(async () => {
  for (const k of ["STRIPE_SECRET_KEY", "STRIPE_API_BASE", "STRIPE_WEBHOOK_SECRET", "NUAGE_BILLING_CLOSE_LAG_MS"])
    saved[k] = process.env[k];
  fake = await new StripeFake().start();
  Object.assign(process.env, fake.env(), { NUAGE_BILLING_CLOSE_LAG_MS: String(2 * H) });
  const org = await getDb().org.create({ data: { name: `${tag} periods`, createdAt: T("2024-12-20T00:00:00") } });
  orgId = org.id;
  await setOrgPlan({ type: "system" }, { orgId, plan: "pro" });
  setClock(T("2025-01-01T00:00:00"));
  await ensureCustomer(orgId);
});

afterAll(async () => {
  setClock(null);
  await fake?.stop();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const db = getDb();
  if (!orgId) return;
  await db.usageSample.deleteMany({ where: { orgId } });
  await db.usageRollup.deleteMany({ where: { orgId } });
  await db.usageRollupDirty.deleteMany({ where: { orgId } });
  await db.stripeUsageReport.deleteMany({ where: { orgId } });
  await db.creditEntry.deleteMany({ where: { orgId } });
  await db.invoice.deleteMany({ where: { orgId } });
  await db.billingAccount.deleteMany({ where: { orgId } });
  await db.auditLog.deleteMany({ where: { orgId } });
  await db.org.deleteMany({ where: { id: orgId } });
});

describe("three billing periods", () => {
  it("invoices match the hand-computed amounts and Stripe's meter events match the ledger", async () => {
    const start = T("2025-01-01T00:00:00").getTime();
    const end = T("2025-04-01T00:00:00").getTime();
    let crashed = false;
    for (let day = start; day < end; day += D) {
      setClock(new Date(day + D + 3 * H)); // the day has ended (plus the close lag)
      await recordSamples(samplesOfDay(day));
      await rollupAll();
      if (day === T("2025-01-20T00:00:00").getTime()) fake.rateLimitNext(3, 0); // 429s are retried
      await reportUsage();
      if (!crashed && day === T("2025-02-10T00:00:00").getTime()) {
        // A crash after Stripe accepted events but before they were marked sent: they go out again, and
        // Stripe's identifier check drops them.
        crashed = true;
        const some = await getDb().stripeUsageReport.findMany({
          where: { orgId },
          take: 20,
          orderBy: { hourStart: "desc" },
        });
        await getDb().stripeUsageReport.updateMany({
          where: { identifier: { in: some.map((s) => s.identifier) } },
          data: { reportedAt: null },
        });
        await reportUsage();
      }
      if (day === T("2025-02-05T00:00:00").getTime()) {
        await grantCredit({ orgId, amountMinor: 500n, reason: "goodwill", createdById: null });
      }
      if (day === T("2025-03-10T00:00:00").getTime()) {
        // A late sample for an hour already reported: reported again as a numbered delta.
        await recordSamples([
          {
            orgId,
            clusterId,
            namespace: "late",
            meter: "storage_mib_seconds",
            windowStart: T("2025-03-02T05:00:00"),
            windowSeconds: 3600,
            quantity: 1024n * 60n,
            source: "provider",
          },
        ]);
        await rollupAll();
        await reportUsage();
      }
      await closeDueMonths();
    }

    const invoices = (await listInvoices(orgId)).filter(
      (i) => i.periodStart >= T("2025-01-01T00:00:00") && i.periodStart < T("2025-04-01T00:00:00"),
    );
    expect(
      invoices.map((i) => [
        i.periodStart.toISOString().slice(0, 7),
        i.status,
        i.subtotalMinor,
        i.includedMinor,
        i.creditMinor,
        i.totalMinor,
      ]),
    ).toEqual([
      // March: vCPU 3180 h × 1.8 ¢ = 5724; memory 6360 GiB-h × 0.225 ¢ = 1431; control plane 744 h × 10 ¢ = 7440;
      // HA 744 h × 12 ¢ = 8928; LB 456 h × 1.2 ¢ = 547.2 → 547; storage 10 GiB-month × 9 ¢ = 90, plus the late
      // 1 GiB-hour (0.0121 ¢, rounds away on the summed line); included: control plane 744 h, LB 744 h, storage 50 GiB-months.
      ["2025-03", "finalized", 24160n, 8077n, 0n, 16083n],
      // February: vCPU (2×672 + 348) × 2 = 3384 h → 6091.2 → 6091; memory 6768 GiB-h → 1522.8 → 1523; CP 672 h = 6720;
      // HA 348 h × 12 = 4176; storage 10 GiB-month = 90; included 6720 + 90; credit 500.
      ["2025-02", "finalized", 18600n, 6810n, 500n, 11290n],
      // January (from the 10th, 528 h): vCPU 2112 h → 3801.6 → 3802; memory 4224 GiB-h → 950.4 → 950; CP 5280;
      // storage 10 GiB × 408/744 of a month = 5.48 GiB-months → 49.35 → 49; included 5280 + 49.
      ["2025-01", "finalized", 10081n, 5329n, 0n, 4752n],
    ]);
    for (const i of invoices) expect(i.priceVersion).toBeGreaterThanOrEqual(1);

    const feb = await getInvoice(orgId, invoices[1]!.id);
    expect(feb.lines.filter((l) => l.kind === "usage").map((l) => [l.meter, l.amountMinor])).toEqual([
      ["controlplane_ha_seconds", 4176n],
      ["controlplane_seconds", 6720n],
      ["node_memory_mib_seconds", 1523n],
      ["node_vcpu_seconds", 6091n],
      ["storage_mib_seconds", 90n],
    ]);
    // the credit was applied once, to February
    const credits = await getDb().creditEntry.findMany({ where: { orgId }, orderBy: { createdAt: "asc" } });
    expect(credits.map((c) => c.amountMinor)).toEqual([500n, -500n]);

    // Closing again changes nothing.
    const before = await getDb().invoice.findMany({
      where: { orgId },
      include: { lines: true },
      orderBy: { periodStart: "asc" },
    });
    setClock(T("2025-04-02T00:00:00"));
    await closeDueMonths();
    await closeDueMonths();
    const after = await getDb().invoice.findMany({
      where: { orgId, periodStart: { lt: T("2025-04-01T00:00:00") } },
      include: { lines: true },
      orderBy: { periodStart: "asc" },
    });
    expect(after).toEqual(before.filter((i) => i.periodStart < T("2025-04-01T00:00:00")));

    // What Stripe recorded equals the ledger, per meter, exactly; no identifier twice.
    await reportUsage({ until: T("2025-04-01T00:00:00") });
    const ledger = await getDb().$queryRaw<{ meter: string; q: bigint }[]>`
      SELECT "meter", SUM("quantity")::bigint AS q FROM "UsageSample" WHERE "orgId" = ${orgId} AND "meter" = ANY(${BILLED_METER_LIST}::text[]) GROUP BY "meter"`;
    const cus = (await getDb().billingAccount.findUniqueOrThrow({ where: { orgId } })).stripeCustomerId!;
    const totals = fake.meterTotals();
    expect(Object.fromEntries(ledger.map((l) => [l.meter, BigInt(l.q)]))).toEqual(
      Object.fromEntries(ledger.map((l) => [l.meter, totals.get(`${cus}|nuage_${l.meter}`) ?? 0n])),
    );
    expect(ledger.length).toBe(6);
    const ids = fake.meterEvents.map((e) => e.identifier);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.some((i) => i.endsWith(":1"))).toBe(true);
    expect(fake.requests.filter((r) => r.path === "/v1/billing/meter_events").length).toBeGreaterThan(ids.length); // 429s and resends
  }, 300_000); // ~40 s on an idle machine; the shared CI box can be much slower
});
