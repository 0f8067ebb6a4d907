// The collector against a real cluster (in-process localcloud, its API server and node agent):
// per-namespace usage, requests, storage and load balancers read from the cluster; cluster-level meters
// equal to the provider's records to the second; a duplicated collection adds nothing; and a collector
// process SIGKILLed again and again while the cluster scales loses no window and double-counts none.
import { CLUSTER_METERS, type ClusterMeter, meteringEnv, providerTotals, windowStartOf } from "@nuage/core";
import { getDb } from "@nuage/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup } from "../../../../packages/api/src/test/helpers.ts";
import { type Cloud, eventually } from "../clusters/test/harness.ts";
import { exited, startMeteredCluster, stopMeteredCluster, Workers } from "../test/metered-cluster.ts";
import { collectAll, collectCluster } from "./collector.ts";

const INTERVAL = 2;
let cloud: Cloud;
let orgId: string;
let clusterId: string;
let metered: Awaited<ReturnType<typeof startMeteredCluster>> | undefined;
const workers = new Workers();

beforeAll(async () => {
  process.env.NUAGE_METERING_INTERVAL_SECONDS = String(INTERVAL);
  process.env.NUAGE_METERING_LAG_MS = "500";
  metered = await startMeteredCluster({ tag: "h6a" });
  ({ cloud, orgId, clusterId } = metered);
}, 240_000);

afterAll(async () => {
  workers.killAll();
  await stopMeteredCluster(metered ?? {});
  await cleanup();
});

async function ledgerTotals(from: Date, to: Date): Promise<Record<ClusterMeter, bigint>> {
  const rows = await getDb().usageSample.groupBy({
    by: ["meter"],
    where: { clusterId, namespace: "", windowStart: { gte: from, lt: to } },
    _sum: { quantity: true },
  });
  const out = Object.fromEntries(CLUSTER_METERS.map((m) => [m, 0n])) as Record<ClusterMeter, bigint>;
  for (const r of rows) out[r.meter as ClusterMeter] = r._sum.quantity ?? 0n;
  return out;
}

async function truth(from: Date, to: Date) {
  return providerTotals(await cloud.provider.usageRecords({ clusterId }), from, to, true);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("metering collector", () => {
  it("reads namespaces from the cluster and counts cluster meters as the provider does, once", async () => {
    await sleep(INTERVAL * 1000 + 600);
    const first = await collectAll({ orgIds: [orgId] });
    expect(first.errors).toBe(0);
    expect(first.samples).toBeGreaterThan(0);
    const state = await getDb().meteringClusterState.findUniqueOrThrow({ where: { clusterId } });
    const last = new Date(state.reconciledUntil.getTime() - INTERVAL * 1000);
    const ns = await getDb().usageSample.findMany({ where: { clusterId, namespace: "shop", windowStart: last } });
    const q = (m: string) => ns.find((s) => s.meter === m)?.quantity;
    expect(q("cpu_request_millicore_seconds")).toBe(BigInt(250 * INTERVAL));
    expect(q("memory_request_mib_seconds")).toBe(BigInt(128 * INTERVAL));
    // The claim existed for the whole window: 1 GiB x 2 s.
    expect(q("storage_mib_seconds")).toBe(BigInt(1024 * INTERVAL));
    expect(q("cpu_usage_millicore_seconds") ?? 0n).toBeGreaterThan(0n);
    expect(q("memory_usage_mib_seconds") ?? 0n).toBeGreaterThan(0n);
    expect(ns.every((s) => s.source === "collector" && s.windowSeconds === INTERVAL)).toBe(true);

    const cluster = await getDb().cluster.findUniqueOrThrow({ where: { id: clusterId } });
    const from = windowStartOf(cluster.createdAt, INTERVAL);
    const ledger = await ledgerTotals(from, state.reconciledUntil);
    expect(ledger).toEqual(await truth(from, state.reconciledUntil));
    expect(ledger.node_vcpu_seconds).toBeGreaterThan(0n);
    expect(ledger.loadbalancer_seconds).toBeGreaterThan(0n);

    // The same run again (a retried or duplicated job): nothing new.
    const count = await getDb().usageSample.count({ where: { clusterId } });
    await Promise.all([collectAll({ orgIds: [orgId] }), collectAll({ orgIds: [orgId] })]);
    const after = await getDb().meteringClusterState.findUniqueOrThrow({ where: { clusterId } });
    if (after.reconciledUntil.getTime() === state.reconciledUntil.getTime()) {
      expect(await getDb().usageSample.count({ where: { clusterId } })).toBe(count);
    }
    expect(await ledgerTotals(from, after.reconciledUntil)).toEqual(await truth(from, after.reconciledUntil));
    // Rollups agree with the ledger.
    const rolled = await getDb().usageRollup.aggregate({
      where: { clusterId, period: "day", meter: "node_vcpu_seconds", namespace: "" },
      _sum: { quantity: true },
    });
    expect(rolled._sum.quantity).toBe((await ledgerTotals(from, after.reconciledUntil)).node_vcpu_seconds);
  });

  it("loses no window and double-counts none when the collector process is SIGKILLed repeatedly", async () => {
    const db = getDb();
    const cluster = await db.cluster.findUniqueOrThrow({ where: { id: clusterId } });
    const from = windowStartOf(cluster.createdAt, INTERVAL);
    const startCollector = () =>
      workers.start("apps/worker/src/metering/main.ts", {
        NUAGE_METERING_TEST_ORGS: orgId,
        NUAGE_LOCALCLOUD_URL: cloud.lc.url,
        NUAGE_LOCALCLOUD_TOKEN: cloud.lc.token,
      });
    const extra = `${clusterId}-node-x`;
    for (let round = 0; round < 6; round++) {
      const child = startCollector();
      // The cluster changes meanwhile: a node comes and goes.
      if (round === 1) await cloud.provider.ensureMachine({ id: extra, name: extra, clusterId, flavor: "s-1vcpu-2gb" });
      if (round === 4) await cloud.provider.deleteMachine(extra);
      await sleep(1500 + Math.floor(Math.random() * 2500));
      child.kill("SIGKILL");
      await exited(child);
    }
    // A last collector catches up, then stops cleanly.
    const child = startCollector();
    const target = windowStartOf(Date.now() - 600, INTERVAL);
    await eventually(async () => {
      const s = await db.meteringClusterState.findUniqueOrThrow({ where: { clusterId } });
      if (s.reconciledUntil < target) throw new Error(`collector at ${s.reconciledUntil.toISOString()}`);
    }, 60_000);
    child.kill("SIGTERM");
    await exited(child);
    const state = await db.meteringClusterState.findUniqueOrThrow({ where: { clusterId } });
    const ledger = await ledgerTotals(from, state.reconciledUntil);
    const expected = await truth(from, state.reconciledUntil);
    expect(ledger).toEqual(expected);
    // The extra 1-vCPU node was counted (it lived at least a few seconds).
    const records = await cloud.provider.usageRecords({ clusterId });
    expect(records.find((r) => r.id === extra)?.deletedAt).toBeTruthy();
    // Every window from the cluster's start to the cursor has its control-plane sample, exactly once.
    const windows = (state.reconciledUntil.getTime() - from.getTime()) / (INTERVAL * 1000);
    const cp = await db.usageSample.count({ where: { clusterId, meter: "controlplane_seconds" } });
    expect(cp).toBe(windows);
  }, 180_000);

  it("fills a long gap in slices, without skipping a window", async () => {
    const db = getDb();
    const cluster = await db.cluster.findUniqueOrThrow({ where: { id: clusterId } });
    const from = windowStartOf(cluster.createdAt, INTERVAL);
    // Three hours later with one-hour slices: three runs catch up, a fourth has nothing to do.
    const env = { ...meteringEnv(), NUAGE_METERING_MAX_CATCHUP_HOURS: 1 };
    const later = new Date(Date.now() + 3 * 3_600_000);
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) runs.push(await collectCluster({ ...cluster, status: "deleting" }, env, later));
    expect(runs.filter((n) => n > 0).length).toBeGreaterThanOrEqual(3);
    expect(runs.at(-1)).toBe(0);
    const state = await db.meteringClusterState.findUniqueOrThrow({ where: { clusterId } });
    expect(state.reconciledUntil.getTime()).toBe(windowStartOf(later.getTime() - 500, INTERVAL).getTime());
    expect(await ledgerTotals(from, state.reconciledUntil)).toEqual(await truth(from, state.reconciledUntil));
    const cp = await db.usageSample.count({ where: { clusterId, meter: "controlplane_seconds" } });
    expect(cp).toBe((state.reconciledUntil.getTime() - from.getTime()) / (INTERVAL * 1000));
  }, 120_000);
});
