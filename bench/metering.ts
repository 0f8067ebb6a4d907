// Metering benchmark (issue 6): ledger ingest rate and the usage page's query.
//   node infra/with-env.mjs --keep-services tsx bench/metering.ts [--samples 200000] [--clusters 50] [--namespaces 20] [--days 90]
// 1. Ingest: `--samples` ledger rows written by recordSamples (the collector's path: one dictionary-encoded
//    INSERT … ON CONFLICT DO NOTHING per 5,000 rows on 4 connections, dirty hours marked in the same
//    transaction), then the same rows again (all duplicates), then the rollup of what was written.
//    Goal ≥ 50,000 samples/s.
// 2. Query: day rollups of a signed-up org with 50 clusters × 20 namespaces × 90 days (5 namespace meters
//    each, plus the cluster meters), then the last 90 days three ways: usageReport (the SQL and its
//    assembly), the tRPC procedure the page calls (context, membership, output validation) and
//    GET /api/v1/usage (REST, JSON on the wire). Goal ≤ 200 ms.
// Everything is written under orgs of its own and deleted at the end.
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";

const argv = process.argv.slice(2);
const flag = (name: string, def: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const SAMPLES = flag("samples", 200_000);
const CLUSTERS = flag("clusters", 50);
const NAMESPACES = flag("namespaces", 20);
const DAYS = flag("days", 90);

const { recordSamples, rebuildSummaries, rollupAll, usageReport, NAMESPACE_METERS, CLUSTER_METERS } = await import(
  "../packages/core/src/index.ts"
);
const { getDb, closeDb } = await import("../packages/db/src/index.ts");
// The API's test helpers: a real sign-up, callers with the real context, REST through the real handler.
const api = await import("../packages/api/src/test/helpers.ts");
const { closeQueues, closeRedis } = await import("../packages/jobs/src/index.ts");
type Sample = Parameters<typeof recordSamples>[0][number];

const db = getDb();
const tag = `bench-metering-${randomBytes(4).toString("hex")}`;
const ingestOrg = `${tag}-ingest`;
let queryOrg = `${tag}-query`;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;

async function cleanup() {
  for (const orgId of [ingestOrg, queryOrg]) {
    await db.$executeRaw`DELETE FROM "UsageSample" WHERE "orgId" = ${orgId}`;
    await db.$executeRaw`DELETE FROM "UsageRollup" WHERE "orgId" = ${orgId}`;
    await db.$executeRaw`DELETE FROM "UsageRollupDirty" WHERE "orgId" = ${orgId}`;
    await db.$executeRaw`DELETE FROM "UsageSummary" WHERE "orgId" = ${orgId}`;
  }
}

console.log(
  `machine: ${cpus().length} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")} (shared)`,
);
try {
  // ---- 1. ingest -------------------------------------------------------------------------------
  // A realistic shape: 100 clusters × 10 namespaces × the namespace meters, minute windows.
  const samples: Sample[] = [];
  const start = Date.UTC(2026, 0, 1);
  for (let i = 0; samples.length < SAMPLES; i++) {
    const w = Math.floor(i / 1000);
    const c = i % 100;
    const ns = Math.floor(i / 100) % 10;
    for (const meter of NAMESPACE_METERS) {
      if (samples.length >= SAMPLES) break;
      samples.push({
        orgId: ingestOrg,
        clusterId: `${tag}-c${c}`,
        namespace: `ns-${ns}`,
        meter,
        windowStart: new Date(start + w * 60_000),
        windowSeconds: 60,
        quantity: BigInt(1000 + (i % 997)),
        source: "collector",
      });
    }
  }
  const CHUNK = 50_000; // one call (5,000-row statements on 4 connections)
  let t0 = performance.now();
  let inserted = 0;
  for (let i = 0; i < samples.length; i += CHUNK) inserted += await recordSamples(samples.slice(i, i + CHUNK));
  const ingestMs = performance.now() - t0;
  t0 = performance.now();
  let dup = 0;
  for (let i = 0; i < samples.length; i += CHUNK) dup += await recordSamples(samples.slice(i, i + CHUNK));
  const dupMs = performance.now() - t0;
  t0 = performance.now();
  const hours = await rollupAll();
  const rollupMs = performance.now() - t0;
  console.log(
    `ingest: ${inserted.toLocaleString()} new samples in ${(ingestMs / 1000).toFixed(2)} s = ${Math.round((inserted / ingestMs) * 1000).toLocaleString()} samples/s (goal ≥ 50,000)`,
  );
  console.log(
    `ingest of the same samples again: ${dup} new (duplicates dropped) in ${(dupMs / 1000).toFixed(2)} s = ${Math.round((samples.length / dupMs) * 1000).toLocaleString()} samples/s`,
  );
  console.log(`rollup: ${hours} cluster-hours (hour + day rows) in ${(rollupMs / 1000).toFixed(2)} s`);

  // ---- 2. usage page query ------------------------------------------------------------------------
  const owner = await api.signUpUser("bench-usage", { verified: true });
  queryOrg = owner.orgId;
  const caller = await api.userCaller(owner.userId);
  const { token } = await caller.tokens.create({ name: "bench", scope: "read" });
  await db.cluster.createMany({
    data: Array.from({ length: CLUSTERS }, (_, c) => ({
      id: `${tag}-c${c}`,
      orgId: queryOrg,
      name: `bench-${String(c).padStart(2, "0")}`,
      region: "local-1",
      version: "1.32",
      status: "running",
    })),
  });
  // The page's "Last 90 days": up to the end of today (UTC).
  const to = new Date(Math.ceil((Date.now() + 1) / 86_400_000) * 86_400_000);
  const from = new Date(to.getTime() - DAYS * 86_400_000);
  t0 = performance.now();
  await db.$executeRaw`
    INSERT INTO "UsageRollup" ("orgId","clusterId","namespace","meter","period","periodStart","quantity")
    SELECT ${queryOrg}, ${tag} || '-c' || c, 'ns-' || n, m, 'day', ${from}::timestamp(3) + d * interval '1 day', 86400 * (c + n + 1)
    FROM generate_series(0, ${CLUSTERS - 1}::int) c, generate_series(0, ${NAMESPACES - 1}::int) n,
         unnest(${[...NAMESPACE_METERS]}::text[]) m, generate_series(0, ${DAYS - 1}::int) d`;
  await db.$executeRaw`
    INSERT INTO "UsageRollup" ("orgId","clusterId","namespace","meter","period","periodStart","quantity")
    SELECT ${queryOrg}, ${tag} || '-c' || c, '', m, 'day', ${from}::timestamp(3) + d * interval '1 day', 86400 * 4
    FROM generate_series(0, ${CLUSTERS - 1}::int) c, unnest(${[...CLUSTER_METERS]}::text[]) m,
         generate_series(0, ${DAYS - 1}::int) d`;
  await rebuildSummaries(queryOrg);
  await db.$executeRaw`ANALYZE "UsageRollup"`;
  await db.$executeRaw`ANALYZE "UsageSummary"`;
  const rows = await db.usageRollup.count({ where: { orgId: queryOrg } });
  console.log(
    `seeded ${rows.toLocaleString()} day rollups (${CLUSTERS} clusters × ${NAMESPACES} namespaces × ${DAYS} days) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const measure = async (name: string, run: () => Promise<string>) => {
    const times: number[] = [];
    let shape = "";
    for (let i = 0; i < 12; i++) {
      const t = performance.now();
      shape = await run();
      times.push(performance.now() - t);
    }
    const warm = times.slice(2);
    console.log(
      `usage page, ${name} (${shape}): p50 ${pct(warm, 0.5).toFixed(0)} ms, p95 ${pct(warm, 0.95).toFixed(0)} ms, first ${times[0]?.toFixed(0)} ms (goal ≤ 200 ms)`,
    );
  };
  const shapeOf = (r: { series: unknown[]; byCluster: unknown[]; byNamespace: unknown[] }) =>
    `${r.series.length} points, ${r.byCluster.length} clusters, ${r.byNamespace.length} namespaces`;
  await measure("usageReport", async () =>
    shapeOf(await usageReport({ orgId: queryOrg, from, to, granularity: "day" })),
  );
  await measure("tRPC usage.report", async () => shapeOf(await caller.usage.report({ from, to, granularity: "day" })));
  const qs = `from=${from.toISOString()}&to=${to.toISOString()}&granularity=day`;
  await measure("GET /api/v1/usage", async () => {
    const res = await api.rest(`/usage?${qs}`, { token });
    if (res.status !== 200) throw new Error(`GET /usage answered ${res.status}: ${await res.text()}`);
    const body = await res.text();
    return `${shapeOf(JSON.parse(body))}, ${(body.length / 1024).toFixed(0)} KiB`;
  });
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
} finally {
  await cleanup();
  await api.cleanup();
  await Promise.allSettled([closeQueues(), closeRedis(), closeDb()]);
}
