// The metering collector: for every cluster that holds resources, the aligned windows since its cursor are
// computed from the provider's usage records (cluster-level meters), the window that just ended also gets
// the per-namespace meters read from the cluster, and all of it goes to the ledger with the cursor in one
// transaction. A run killed at any point, retried or duplicated, writes each (cluster, namespace, meter,
// window) once: the ledger's unique key drops repeats, and the cursor only moves with the samples.
import {
  capacitySamples,
  checkBudgets,
  meteringEnv,
  type NamespaceMeter,
  now,
  recordSamples,
  rollupDirty,
  type Sample,
  windowStartOf,
} from "@nuage/core";
import { getDb } from "@nuage/db";
import { getProvider } from "@nuage/providers";
import { type NamespaceUsage, readNamespaceUsage } from "./kube.ts";

const ACTIVE = new Set(["running", "updating", "degraded"]);
/** Deleted clusters are swept for this long after their last change, so their final windows are counted. */
const AFTER_DELETE_MS = 86_400_000;
const CONCURRENCY = 8;

export interface CollectResult {
  clusters: number;
  samples: number;
  errors: number;
}

/** One collector run over every metered cluster. */
export async function collectAll(filter: { orgIds?: string[] } = testOrgFilter()): Promise<CollectResult> {
  const env = meteringEnv();
  const t = now();
  const clusters = await getDb().cluster.findMany({
    where: {
      ...(filter.orgIds ? { orgId: { in: filter.orgIds } } : {}),
      OR: [{ status: { not: "deleted" } }, { updatedAt: { gt: new Date(t.getTime() - AFTER_DELETE_MS) } }],
    },
    select: { id: true, orgId: true, status: true, haControlPlane: true, createdAt: true },
    orderBy: { createdAt: "asc" },
  });
  const result: CollectResult = { clusters: 0, samples: 0, errors: 0 };
  // A few clusters at a time: one slow API server does not hold up the others' windows.
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < clusters.length; i = next++) {
      const c = clusters[i] as ClusterRow;
      try {
        const n = await collectCluster(c, env, t);
        result.samples += n;
        result.clusters++;
      } catch (e) {
        result.errors++;
        warnOnce(c.id, (e as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  // Rollups of what this run wrote (and of anything a killed run left dirty).
  while ((await rollupDirty(500)) > 0) {}
  return result;
}

/** Tests share one database: under NUAGE_TEST=1, NUAGE_METERING_TEST_ORGS (comma-separated) limits a run. */
function testOrgFilter(): { orgIds?: string[] } {
  const raw = process.env.NUAGE_TEST === "1" ? process.env.NUAGE_METERING_TEST_ORGS : undefined;
  return raw ? { orgIds: raw.split(",").filter(Boolean) } : {};
}

type ClusterRow = { id: string; orgId: string; status: string; haControlPlane: boolean; createdAt: Date };

export async function collectCluster(c: ClusterRow, env = meteringEnv(), t = now()): Promise<number> {
  const db = getDb();
  const seconds = env.NUAGE_METERING_INTERVAL_SECONDS;
  const w = seconds * 1000;
  // Windows that ended at least LAG ago are complete at the provider.
  const end = windowStartOf(t.getTime() - env.NUAGE_METERING_LAG_MS, seconds);
  const state = await db.meteringClusterState.findUnique({ where: { clusterId: c.id } });
  const from = state ? state.reconciledUntil : windowStartOf(c.createdAt, seconds);
  if (from >= end) return 0;
  // A long outage is caught up in slices (the next run continues); no window is ever skipped.
  const sliceEnd = new Date(Math.min(end.getTime(), from.getTime() + env.NUAGE_METERING_MAX_CATCHUP_HOURS * 3_600_000));
  const caughtUp = sliceEnd.getTime() === end.getTime();
  const provider = getProvider();
  const records = await provider.usageRecords({ clusterId: c.id, since: from });
  const lastWindow = new Date(end.getTime() - w);
  const samples: Sample[] = capacitySamples({
    orgId: c.orgId,
    clusterId: c.id,
    records,
    from,
    to: sliceEnd,
    seconds,
    haControlPlane: c.haControlPlane,
    onTimeFrom: lastWindow,
  });
  if (caughtUp && ACTIVE.has(c.status)) {
    try {
      samples.push(...namespaceSamples(c, await readNamespaceUsage(provider, c.id), lastWindow, seconds));
    } catch (e) {
      // Not guessed: the window's namespace meters stay missing (docs/metering.md).
      warnOnce(c.id, `namespace usage unavailable (${(e as Error).message})`);
    }
  }
  return db.$transaction(
    async (tx) => {
      // Another run may have moved the cursor meanwhile: the ledger's key makes the overlap harmless.
      const n = await recordSamples(samples, tx);
      await tx.$executeRaw`
        INSERT INTO "MeteringClusterState" ("clusterId","orgId","reconciledUntil","updatedAt")
        VALUES (${c.id}, ${c.orgId}, ${sliceEnd}::timestamp(3), now())
        ON CONFLICT ("clusterId") DO UPDATE
        SET "reconciledUntil" = GREATEST("MeteringClusterState"."reconciledUntil", EXCLUDED."reconciledUntil"),
            "updatedAt" = now()`;
      return n;
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
}

function namespaceSamples(
  c: ClusterRow,
  usage: Map<string, NamespaceUsage>,
  windowStart: Date,
  seconds: number,
): Sample[] {
  const out: Sample[] = [];
  const a = windowStart.getTime();
  const b = a + seconds * 1000;
  const push = (namespace: string, meter: NamespaceMeter, quantity: number) => {
    if (quantity <= 0) return;
    out.push({
      orgId: c.orgId,
      clusterId: c.id,
      namespace,
      meter,
      windowStart,
      windowSeconds: seconds,
      quantity: BigInt(Math.round(quantity)),
      source: "collector",
    });
  };
  for (const [ns, u] of usage) {
    push(ns, "cpu_usage_millicore_seconds", u.cpuUsageMillicores * seconds);
    push(ns, "cpu_request_millicore_seconds", u.cpuRequestMillicores * seconds);
    push(ns, "memory_usage_mib_seconds", u.memoryUsageMiB * seconds);
    push(ns, "memory_request_mib_seconds", u.memoryRequestMiB * seconds);
    let storage = 0;
    for (const claim of u.claims) {
      const since = claim.since ? Math.max(a, Math.floor(claim.since.getTime() / 1000) * 1000) : a;
      storage += claim.mib * Math.max(0, Math.floor((b - since) / 1000));
    }
    push(ns, "storage_mib_seconds", storage);
  }
  return out;
}

const lastWarned = new Map<string, number>();
/** One warning per cluster per 10 minutes: an unreachable cluster does not flood the log every minute. */
function warnOnce(clusterId: string, message: string): void {
  const t = Date.now();
  if ((lastWarned.get(clusterId) ?? 0) > t - 600_000) return;
  lastWarned.set(clusterId, t);
  console.warn(`[metering] cluster ${clusterId}: ${message}`);
}

/** The budget check run by its own schedule. */
export async function checkAllBudgets(): Promise<{ alerts: number }> {
  return { alerts: await checkBudgets() };
}
