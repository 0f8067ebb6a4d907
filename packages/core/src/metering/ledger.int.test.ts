// The ledger against the real PostgreSQL: duplicates count once, rollups are sums and idempotent,
// sumUsage reads cluster-level hour rollups in [from, to), budgets alert once per threshold and month.
import { randomBytes } from "node:crypto";
import { getDb } from "@nuage/db";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_PLANS } from "../billing/pricebook.ts";
import { setClock } from "../clock.ts";
import { checkBudgets, estimateCostMinor, getBudget, setBudget } from "./budget.ts";
import { capacitySamples, providerTotals } from "./capacity.ts";
import { recordSamples } from "./ledger.ts";
import type { Sample } from "./meters.ts";
import { sumUsage, usageCsv, usageReport } from "./query.ts";
import { rollupAll } from "./rollup.ts";

const tag = () => `h6a-${randomBytes(5).toString("hex")}`;
const orgs: string[] = [];

async function cleanup(orgId: string) {
  const db = getDb();
  await db.usageSample.deleteMany({ where: { orgId } });
  await db.usageRollup.deleteMany({ where: { orgId } });
  await db.usageRollupDirty.deleteMany({ where: { orgId } });
  await db.usageSummary.deleteMany({ where: { orgId } });
  await db.budgetAlert.deleteMany({ where: { orgId } });
  await db.orgBudget.deleteMany({ where: { orgId } });
  await db.mailOutbox.deleteMany({ where: { orgId } });
  await db.auditLog.deleteMany({ where: { orgId } });
  await db.membership.deleteMany({ where: { orgId } });
  await db.org.deleteMany({ where: { id: orgId } });
}

afterAll(async () => {
  setClock(null);
  for (const o of orgs) await cleanup(o);
});

const s = (orgId: string, clusterId: string, meter: Sample["meter"], at: string, q: number, ns = ""): Sample => ({
  orgId,
  clusterId,
  namespace: ns,
  meter,
  windowStart: new Date(at),
  windowSeconds: 60,
  quantity: BigInt(q),
  source: "collector",
});

describe("usage ledger", () => {
  it("counts a duplicated collection once and rolls up per hour and day", async () => {
    const orgId = tag();
    orgs.push(orgId);
    const c = `${orgId}-c1`;
    const batch = [
      s(orgId, c, "node_vcpu_seconds", "2026-03-01T10:00:00Z", 120),
      s(orgId, c, "node_vcpu_seconds", "2026-03-01T10:01:00Z", 120),
      s(orgId, c, "node_vcpu_seconds", "2026-03-01T11:59:00Z", 60),
      s(orgId, c, "cpu_usage_millicore_seconds", "2026-03-01T10:00:00Z", 6000, "web"),
    ];
    expect(await recordSamples(batch)).toBe(4);
    // The same collection again, and concurrently twice: nothing new.
    const again = await Promise.all([recordSamples(batch), recordSamples(batch)]);
    expect(again).toEqual([0, 0]);
    await rollupAll();
    await rollupAll();
    const hours = await getDb().usageRollup.findMany({
      where: { orgId, period: "hour", meter: "node_vcpu_seconds" },
      orderBy: { periodStart: "asc" },
    });
    expect(hours.map((h) => [h.periodStart.toISOString(), h.quantity])).toEqual([
      ["2026-03-01T10:00:00.000Z", 240n],
      ["2026-03-01T11:00:00.000Z", 60n],
    ]);
    const day = await getDb().usageRollup.findFirst({ where: { orgId, period: "day", meter: "node_vcpu_seconds" } });
    expect(day?.quantity).toBe(300n);

    // A late window of an already rolled-up hour updates that hour and its day.
    expect(await recordSamples([s(orgId, c, "node_vcpu_seconds", "2026-03-01T10:30:00Z", 30)])).toBe(1);
    await rollupAll();
    const total = await sumUsage({
      orgId,
      from: new Date("2026-03-01T00:00:00Z"),
      to: new Date("2026-03-02T00:00:00Z"),
    });
    expect(total).toEqual([{ clusterId: c, meter: "node_vcpu_seconds", quantity: 330n }]);
    // [from, to) excludes the 11:00 hour.
    const early = await sumUsage({
      orgId,
      from: new Date("2026-03-01T10:00:00Z"),
      to: new Date("2026-03-01T11:00:00Z"),
    });
    expect(early[0]?.quantity).toBe(270n);

    const report = await usageReport({
      orgId,
      from: new Date("2026-03-01T00:00:00Z"),
      to: new Date("2026-03-02T00:00:00Z"),
      granularity: "hour",
    });
    expect(report.series.map((p) => p.values.node_vcpu_seconds)).toEqual(["270", "60"]);
    expect(report.byCluster[0]?.values).toMatchObject({
      node_vcpu_seconds: "330",
      cpu_usage_millicore_seconds: "6000",
    });
    expect(report.byNamespace).toEqual([
      {
        clusterId: c,
        clusterName: "(deleted cluster)",
        namespace: "web",
        values: { cpu_usage_millicore_seconds: "6000" },
      },
    ]);
    const csv = await usageCsv({ orgId, from: new Date("2026-03-01T00:00:00Z"), to: new Date("2026-03-02T00:00:00Z") });
    expect(csv.split("\n")[0]).toBe(
      "period_start,cluster_id,cluster_name,namespace,meter,quantity,display_quantity,display_unit",
    );
    expect(csv).toContain(`2026-03-01T00:00:00.000Z,${c},,,node_vcpu_seconds,330,0.0917,vCPU-hours`);
  });

  it("reports totals across months from the summaries, as the plain rollups add up", async () => {
    const orgId = tag();
    orgs.push(orgId);
    const c1 = `${orgId}-c1`;
    const c2 = `${orgId}-c2`;
    await recordSamples([
      s(orgId, c1, "node_vcpu_seconds", "2026-01-31T23:59:00Z", 100),
      s(orgId, c1, "node_vcpu_seconds", "2026-02-15T12:00:00Z", 200),
      s(orgId, c1, "node_vcpu_seconds", "2026-03-01T00:00:00Z", 400),
      s(orgId, c1, "storage_mib_seconds", "2026-01-31T23:59:00Z", 10, "web"),
      s(orgId, c1, "storage_mib_seconds", "2026-02-10T00:00:00Z", 20, "web"),
      s(orgId, c1, "storage_mib_seconds", "2026-02-10T00:00:00Z", 40, "db"),
      s(orgId, c2, "cpu_usage_millicore_seconds", "2026-02-20T00:00:00Z", 7, "web"),
      s(orgId, c1, "storage_mib_seconds", "2026-03-20T00:00:00Z", 1000, "web"), // after the range
    ]);
    await rollupAll();
    const r = await usageReport({
      orgId,
      from: new Date("2026-01-15T00:00:00Z"),
      to: new Date("2026-03-15T00:00:00Z"),
    });
    expect(r.byCluster.find((x) => x.clusterId === c1)?.values).toEqual({
      node_vcpu_seconds: "700",
      storage_mib_seconds: "70",
    });
    expect(r.byCluster.find((x) => x.clusterId === c2)?.values).toEqual({ cpu_usage_millicore_seconds: "7" });
    expect(r.byNamespace.map((x) => [x.clusterId, x.namespace, x.values])).toEqual([
      [c1, "db", { storage_mib_seconds: "40" }],
      [c1, "web", { storage_mib_seconds: "30" }],
      [c2, "web", { cpu_usage_millicore_seconds: "7" }],
    ]);
    const total = (m: string) =>
      r.series.reduce((a, p) => a + BigInt((p.values as Record<string, string>)[m] ?? "0"), 0n);
    expect([total("node_vcpu_seconds"), total("storage_mib_seconds"), total("cpu_usage_millicore_seconds")]).toEqual([
      700n,
      70n,
      7n,
    ]);
    const one = await usageReport({
      orgId,
      from: new Date("2026-01-15T00:00:00Z"),
      to: new Date("2026-03-15T00:00:00Z"),
      clusterId: c2,
    });
    expect(one.byCluster.map((x) => x.clusterId)).toEqual([c2]);
    // Billing's sums never see the usage page's summaries.
    const billed = await sumUsage({
      orgId,
      from: new Date("2026-01-01T00:00:00Z"),
      to: new Date("2026-04-01T00:00:00Z"),
    });
    expect(billed).toEqual([{ clusterId: c1, meter: "node_vcpu_seconds", quantity: 700n }]);
    // Both edges read as a month minus the days outside the range: keys with rows only outside it do not show.
    const c3 = `${orgId}-c3`;
    await recordSamples([
      s(orgId, c1, "storage_mib_seconds", "2026-02-01T00:00:00Z", 3, "web"), // before the range
      s(orgId, c1, "storage_mib_seconds", "2026-03-28T00:00:00Z", 5, "batch"), // after the range
      s(orgId, c3, "node_vcpu_seconds", "2026-03-28T00:00:00Z", 9), // after the range
    ]);
    await rollupAll();
    const edges = await usageReport({
      orgId,
      from: new Date("2026-02-03T00:00:00Z"),
      to: new Date("2026-03-25T00:00:00Z"),
    });
    expect(edges.byCluster.map((x) => [x.clusterId, x.values])).toEqual([
      [c1, { node_vcpu_seconds: "600", storage_mib_seconds: "1060" }],
      [c2, { cpu_usage_millicore_seconds: "7" }],
    ]);
    expect(edges.byNamespace.map((x) => [x.clusterId, x.namespace, x.values])).toEqual([
      [c1, "db", { storage_mib_seconds: "40" }],
      [c1, "web", { storage_mib_seconds: "1020" }],
      [c2, "web", { cpu_usage_millicore_seconds: "7" }],
    ]);
    const edgeTotal = (m: string) =>
      edges.series.reduce((a, p) => a + BigInt((p.values as Record<string, string>)[m] ?? "0"), 0n);
    expect([edgeTotal("node_vcpu_seconds"), edgeTotal("storage_mib_seconds")]).toEqual([600n, 1060n]);
    await getDb().usageSummary.deleteMany({ where: { orgId } });
  });

  it("keeps day and month totals exact when several rollups run at once", async () => {
    const orgId = tag();
    orgs.push(orgId);
    const c = `${orgId}-c1`;
    // 24 dirty hours of one day: concurrent runners roll up different hours of the same day and month.
    await recordSamples(
      Array.from({ length: 24 }, (_, h) =>
        s(orgId, c, "storage_mib_seconds", `2026-04-10T${String(h).padStart(2, "0")}:30:00Z`, h + 1, "web"),
      ),
    );
    await Promise.all([rollupAll(), rollupAll(), rollupAll(), rollupAll()]);
    const day = await getDb().usageRollup.findUniqueOrThrow({
      where: {
        orgId_clusterId_namespace_meter_period_periodStart: {
          orgId,
          clusterId: c,
          namespace: "web",
          meter: "storage_mib_seconds",
          period: "day",
          periodStart: new Date("2026-04-10T00:00:00Z"),
        },
      },
    });
    expect(day.quantity).toBe(300n); // 1 + 2 + … + 24
    const month = await usageReport({
      orgId,
      from: new Date("2026-04-01T00:00:00Z"),
      to: new Date("2026-05-01T00:00:00Z"),
    });
    expect(month.byCluster.map((x) => x.values)).toEqual([{ storage_mib_seconds: "300" }]);
    expect(month.byNamespace.map((x) => [x.namespace, x.values])).toEqual([["web", { storage_mib_seconds: "300" }]]);
  });

  it("refuses a reversed or too long range naming the field", async () => {
    await expect(
      usageReport({ orgId: "x", from: new Date("2026-03-02"), to: new Date("2026-03-01") }),
    ).rejects.toMatchObject({ field: "to" });
    await expect(
      usageReport({ orgId: "x", from: new Date("2026-01-01"), to: new Date("2026-03-01"), granularity: "hour" }),
    ).rejects.toMatchObject({ field: "granularity" });
  });

  it("computes windows from provider records exactly as the provider's totals", () => {
    const records = [
      {
        kind: "machine" as const,
        id: "m1",
        clusterId: "c",
        flavor: "s-2vcpu-4gb",
        createdAt: new Date("2026-03-01T10:00:17Z"),
        deletedAt: new Date("2026-03-01T10:03:41Z"),
      },
      {
        kind: "controlplane" as const,
        id: "c",
        clusterId: "c",
        createdAt: new Date("2026-03-01T09:59:59Z"),
        deletedAt: null,
      },
      {
        kind: "loadbalancer" as const,
        id: "lb",
        clusterId: "c",
        createdAt: new Date("2026-03-01T10:02:30Z"),
        deletedAt: null,
      },
    ];
    const from = new Date("2026-03-01T10:00:00Z");
    const to = new Date("2026-03-01T10:05:00Z");
    const samples = capacitySamples({
      orgId: "o",
      clusterId: "c",
      records,
      from,
      to,
      seconds: 60,
      haControlPlane: true,
      onTimeFrom: new Date("2026-03-01T10:04:00Z"),
    });
    const sum = (m: string) => samples.filter((x) => x.meter === m).reduce((a, x) => a + x.quantity, 0n);
    const truth = providerTotals(records, from, to, true);
    for (const [m, q] of Object.entries(truth)) expect(sum(m)).toBe(q);
    expect(truth.node_vcpu_seconds).toBe(2n * 204n);
    expect(truth.controlplane_ha_seconds).toBe(300n);
    expect(
      samples.filter((x) => x.source === "collector").every((x) => x.windowStart >= new Date("2026-03-01T10:04:00Z")),
    ).toBe(true);
  });

  it("sends each budget alert once per month, at 50, 80 and 100 %", async () => {
    const db = getDb();
    const orgId = tag();
    orgs.push(orgId);
    const email = `${orgId}@example.com`;
    // Pro: 1.8 cents per vCPU-hour, nothing included (the billing price book, version 1).
    await db.org.create({ data: { id: orgId, name: `Budget ${orgId}`, plan: "pro" } });
    const user = await db.user.create({ data: { email, name: "Budget owner" } });
    await db.membership.create({ data: { orgId, userId: user.id, role: "owner" } });
    setClock(new Date("2026-04-10T12:00:00Z"));
    try {
      const scope = { orgId, role: "owner" as const, actor: { type: "user" as const, userId: user.id } };
      await expect(setBudget(scope, { amountMinor: 0 })).rejects.toMatchObject({ field: "amountMinor" });
      await expect(setBudget({ ...scope, role: "member" }, { amountMinor: 100 })).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
      await setBudget(scope, { amountMinor: 100 }); // 1.00 EUR
      // 30 vCPU-hours at 1.8 cents = 54 cents: 54 % of the budget.
      await recordSamples([s(orgId, `${orgId}-c`, "node_vcpu_seconds", "2026-04-10T11:00:00Z", 30 * 3600)]);
      await rollupAll();
      const usage = [{ clusterId: `${orgId}-c`, meter: "node_vcpu_seconds", quantity: 30n * 3600n }];
      expect(estimateCostMinor(DEFAULT_PLANS.pro, usage, new Date("2026-04-01T00:00:00Z"))).toBe(54);
      expect(await checkBudgets({ orgId })).toBe(1);
      expect(await checkBudgets({ orgId })).toBe(0);
      await recordSamples([s(orgId, `${orgId}-c`, "node_vcpu_seconds", "2026-04-10T11:01:00Z", 30 * 3600)]);
      await rollupAll();
      const [a, b] = await Promise.all([checkBudgets({ orgId }), checkBudgets({ orgId })]);
      expect(a + b).toBe(2); // 60 vCPU-hours = 108 cents, 108 %: 80 and 100, once each
      const view = await getBudget(orgId);
      expect(view).toMatchObject({
        amountMinor: 100,
        monthToDateMinor: 108,
        percentUsed: 108,
        alertsSent: [50, 80, 100],
      });
      const mails = await db.mailOutbox.findMany({ where: { orgId, to: email }, orderBy: { createdAt: "asc" } });
      expect(mails.map((m) => m.subject)).toEqual([
        `Budget ${orgId}: 50% of the 2026-04 budget used`,
        expect.stringMatching(/: (80|100)% of the 2026-04 budget used$/),
        expect.stringMatching(/: (80|100)% of the 2026-04 budget used$/),
      ]);
      // A new month starts again from zero.
      setClock(new Date("2026-05-02T00:00:00Z"));
      expect(await checkBudgets({ orgId })).toBe(0);
      expect((await getBudget(orgId)).monthToDateMinor).toBe(0);
    } finally {
      setClock(null);
      await db.membership.deleteMany({ where: { orgId } });
      await db.user.deleteMany({ where: { id: user.id } });
    }
  });
});
