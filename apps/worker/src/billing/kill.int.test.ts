// The collector and the billing worker as real processes, SIGKILLed again and again while a real cluster runs a
// workload across a month's end (on the controllable clock) and a node comes and goes: the ledger equals the
// provider's truth, rollups equal the samples, the meter events Stripe (the fake) received equal the ledger,
// the closed month's invoice and the new month's draft equal the priced ledger.
import type { ChildProcess } from "node:child_process";
import {
  BILLED_METER_LIST,
  CLUSTER_METERS,
  type ClusterMeter,
  currentPriceBook,
  ensureCustomer,
  monthEnd,
  monthStart,
  now,
  priceUsage,
  providerTotals,
  setOrgPlan,
  windowStartOf,
} from "@nuage/core";
import { getDb } from "@nuage/db";
import { getQueue, QUEUES } from "@nuage/jobs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup } from "../../../../packages/api/src/test/helpers.ts";
import { StripeFake } from "../../../../packages/core/src/billing/testing/stripe-fake.ts";
import { eventually } from "../clusters/test/harness.ts";
import {
  exited,
  type MeteredCluster,
  startMeteredCluster,
  stopMeteredCluster,
  Workers,
} from "../test/metered-cluster.ts";

const INTERVAL = 2;
const KILLS = 6; // per worker
let m: MeteredCluster | undefined;
let fake: StripeFake;
let orgId = "";
let clusterId = "";
/** The month's end the run crosses, in simulated time. */
let boundary = 0;
const workers = new Workers();
const saved: Record<string, string | undefined> = {};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const setOffset = (ms: number) => {
  process.env.NUAGE_TEST_CLOCK_OFFSET_MS = String(Math.round(ms));
};

beforeAll(async () => {
  for (const k of ["STRIPE_SECRET_KEY", "STRIPE_API_BASE", "STRIPE_WEBHOOK_SECRET", "NUAGE_TEST_CLOCK_OFFSET_MS"])
    saved[k] = process.env[k];
  process.env.NUAGE_METERING_INTERVAL_SECONDS = String(INTERVAL);
  process.env.NUAGE_METERING_LAG_MS = "500";
  fake = await new StripeFake().start();
  Object.assign(process.env, fake.env());
  // Simulated time: a quarter of an hour before the next month's end (localcloud's records follow it too).
  boundary = monthEnd(new Date(Date.now() + 3600_000)).getTime();
  setOffset(boundary - 15 * 60_000 - Date.now());
  m = await startMeteredCluster({ tag: "h6k" });
  ({ orgId, clusterId } = m);
  await setOrgPlan({ type: "system" }, { orgId, plan: "pro" });
  await ensureCustomer(orgId);
}, 240_000);

afterAll(async () => {
  workers.killAll();
  await fake?.stop();
  const db = getDb();
  if (orgId) {
    await db.stripeUsageReport.deleteMany({ where: { orgId } });
    await db.invoice.deleteMany({ where: { orgId } });
    await db.billingAccount.deleteMany({ where: { orgId } });
  }
  await stopMeteredCluster(m ?? {});
  await cleanup();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

type Usage = { clusterId: string; meter: string; quantity: bigint }[];

async function ledger(from: Date, to: Date): Promise<Usage> {
  const rows = await getDb().usageSample.groupBy({
    by: ["clusterId", "meter"],
    where: { orgId, windowStart: { gte: from, lt: to } },
    _sum: { quantity: true },
  });
  return rows.map((r) => ({ clusterId: r.clusterId, meter: r.meter, quantity: r._sum.quantity ?? 0n }));
}

function perMeter(usage: Usage, meters: readonly string[]): Record<string, bigint> {
  const out: Record<string, bigint> = Object.fromEntries(meters.map((k) => [k, 0n]));
  for (const u of usage) if (u.meter in out) out[u.meter] = (out[u.meter] ?? 0n) + u.quantity;
  return out;
}

describe("billing and metering workers under SIGKILL", () => {
  it("lose no sample and count none twice: ledger, rollups, Stripe meter events and invoices agree", async () => {
    const db = getDb();
    const cluster = await db.cluster.findUniqueOrThrow({ where: { id: clusterId } });
    const from = windowStartOf(cluster.createdAt, INTERVAL);
    const cloud = m!.cloud;
    // Jump to 8 s before the month's end (forward only: the collector fills the gap from the provider's records).
    const offset = Number(process.env.NUAGE_TEST_CLOCK_OFFSET_MS);
    setOffset(Math.max(offset, boundary - 8000 - Date.now()));
    const env = {
      NUAGE_METERING_TEST_ORGS: orgId,
      NUAGE_BILLING_TEST_ORGS: orgId,
      NUAGE_LOCALCLOUD_URL: cloud.lc.url,
      NUAGE_LOCALCLOUD_TOKEN: cloud.lc.token,
      NUAGE_BILLING_REPORT_EVERY_MS: "1000",
      NUAGE_BILLING_CLOSE_EVERY_MS: "1500",
      NUAGE_BILLING_DUNNING_EVERY_MS: "3600000",
      NUAGE_BILLING_CLOSE_LAG_MS: "1000",
    };
    const start = {
      collector: () => workers.start("apps/worker/src/metering/main.ts", env),
      billing: () => workers.start("apps/worker/src/billing/main.ts", env),
    };
    const running: Record<"collector" | "billing", ChildProcess> = {
      collector: start.collector(),
      billing: start.billing(),
    };
    const order = [...Array(KILLS).fill("collector"), ...Array(KILLS).fill("billing")] as (keyof typeof running)[];
    order.sort(() => Math.random() - 0.5);
    const extra = `${clusterId}-node-x`;
    const t0 = Date.now();
    for (const [round, which] of order.entries()) {
      if (round === 2) await cloud.provider.ensureMachine({ id: extra, name: extra, clusterId, flavor: "s-1vcpu-2gb" });
      if (round === 5) fake.rateLimitNext(3, 0);
      if (round === 8) await cloud.provider.deleteMachine(extra);
      await sleep(800 + Math.floor(Math.random() * 1700));
      running[which].kill("SIGKILL");
      await exited(running[which]);
      await sleep(Math.floor(Math.random() * 600));
      running[which] = start[which]();
    }
    const killPhaseMs = Date.now() - t0;
    expect(now().getTime()).toBeGreaterThan(boundary + 5000); // the run crossed the month's end

    // Clean shutdowns after a last catch-up: first the collector, then one full billing pass after it.
    const target = windowStartOf(now().getTime() - 600, INTERVAL);
    await eventually(async () => {
      const s = await db.meteringClusterState.findUniqueOrThrow({ where: { clusterId } });
      if (s.reconciledUntil < target) throw new Error(`collector at ${s.reconciledUntil.toISOString()}`);
    }, 60_000);
    running.collector.kill("SIGTERM");
    await exited(running.collector);
    const collectedAt = Date.now();
    const queue = getQueue(QUEUES.billing);
    await eventually(async () => {
      const done = await queue.getJobs(["completed"], 0, 200);
      const after = (name: string) => done.some((j) => j.name === name && (j.processedOn ?? 0) > collectedAt);
      if (!after("billing.report") || !after("billing.close")) throw new Error("no billing pass after the collector");
    }, 60_000);
    running.billing.kill("SIGTERM");
    await exited(running.billing);

    // 1. Cluster meters equal the provider's records, window by window.
    const state = await db.meteringClusterState.findUniqueOrThrow({ where: { clusterId } });
    const all = await ledger(from, state.reconciledUntil);
    const truth = providerTotals(await cloud.provider.usageRecords({ clusterId }), from, state.reconciledUntil, true);
    expect(perMeter(all, CLUSTER_METERS) as Record<ClusterMeter, bigint>).toEqual(truth);
    expect(truth.node_vcpu_seconds).toBeGreaterThan(0n);
    const records = await cloud.provider.usageRecords({ clusterId });
    expect(records.find((r) => r.id === extra)?.deletedAt).toBeTruthy();
    const cp = await db.usageSample.count({ where: { clusterId, meter: "controlplane_seconds" } });
    expect(cp).toBe((state.reconciledUntil.getTime() - from.getTime()) / (INTERVAL * 1000));

    // 2. Hour and day rollups equal the samples, per namespace and meter.
    const samples = await db.usageSample.groupBy({
      by: ["namespace", "meter"],
      where: { orgId },
      _sum: { quantity: true },
    });
    const key = (r: { namespace: string; meter: string }) => `${r.namespace}|${r.meter}`;
    const expected = Object.fromEntries(samples.map((s) => [key(s), s._sum.quantity]));
    for (const period of ["hour", "day"]) {
      const rolled = await db.usageRollup.groupBy({
        by: ["namespace", "meter"],
        where: { orgId, period, clusterId },
        _sum: { quantity: true },
      });
      expect(Object.fromEntries(rolled.map((r) => [key(r), r._sum.quantity]))).toEqual(expected);
    }
    expect(expected["shop|storage_mib_seconds"] ?? 0n).toBeGreaterThan(0n);

    // 3. Stripe received every closed hour since the customer exists exactly once per identifier, summing to the ledger.
    const account = await db.billingAccount.findUniqueOrThrow({ where: { orgId } });
    const events = fake.meterEvents.filter((e) => e.customer === account.stripeCustomerId);
    const ids = events.map((e) => e.identifier);
    expect(new Set(ids).size).toBe(ids.length);
    const sent: Record<string, bigint> = Object.fromEntries(BILLED_METER_LIST.map((k) => [k, 0n]));
    for (const e of events) {
      const meter = e.event_name.replace(/^nuage_/, "");
      sent[meter] = (sent[meter] ?? 0n) + e.value;
    }
    const reported = perMeter(await ledger(account.reportFrom!, new Date(boundary)), BILLED_METER_LIST);
    expect(sent).toEqual(reported);
    expect(reported.node_vcpu_seconds).toBeGreaterThan(0n);
    expect(events.every((e) => e.timestamp * 1000 < boundary)).toBe(true);
    expect(await db.stripeUsageReport.count({ where: { orgId, reportedAt: null } })).toBe(0);

    // 4. The month that ended is finalized with exactly the priced ledger; the new month's draft follows it.
    const book = await currentPriceBook();
    const plan = book.plans.pro;
    const closedStart = monthStart(new Date(boundary - 1));
    const invoices = await db.invoice.findMany({ where: { orgId }, include: { lines: true } });
    const lines = (i: (typeof invoices)[number]) =>
      i.lines
        .map((l) => [l.kind, l.clusterId, l.meter, l.quantity, l.amountMinor])
        .sort((a, b) => String(a).localeCompare(String(b)));
    const priced = (u: Usage, periodStart: Date) => {
      const p = priceUsage(plan, u, periodStart);
      return {
        lines: p.lines
          .map((l) => [l.kind, l.clusterId, l.meter, l.quantity, l.amountMinor])
          .sort((a, b) => String(a).localeCompare(String(b))),
        totalMinor: p.totalMinor,
      };
    };
    const closed = invoices.find((i) => i.periodStart.getTime() === closedStart.getTime());
    expect(closed?.status).toBe("finalized");
    expect({ lines: lines(closed!), totalMinor: closed!.totalMinor }).toEqual(
      priced(await ledger(closedStart, new Date(boundary)), closedStart),
    );
    const draft = invoices.find((i) => i.periodStart.getTime() === boundary);
    expect(draft?.status).toBe("draft");
    expect({ lines: lines(draft!), totalMinor: draft!.totalMinor }).toEqual(
      priced(await ledger(new Date(boundary), new Date(monthEnd(new Date(boundary)))), new Date(boundary)),
    );
    expect(killPhaseMs).toBeLessThan(60_000);
  }, 150_000);
});
