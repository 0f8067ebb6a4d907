// Hour and day rollups per org, cluster, namespace and meter. Recomputed from the ledger for each dirty hour
// (an upsert of the sum, so running it twice gives the same rows), then the hour's day from the hour rows.
import { getDb, type Tx } from "@nuage/db";
import { DAY_MS, dayOf, HOUR_MS, monthOf, nextMonth } from "./meters.ts";

/** Processes up to `limit` dirty hours; returns how many were rolled up. Safe to run concurrently. */
export async function rollupDirty(limit = 500): Promise<number> {
  const db = getDb();
  const dirty = await db.usageRollupDirty.findMany({
    orderBy: { hourStart: "asc" },
    take: limit,
    select: { clusterId: true, hourStart: true },
  });
  let done = 0;
  for (const d of dirty) {
    await db.$transaction(
      async (tx) => {
        // Claiming the row first: a sample batch committing after this point marks the hour dirty again.
        // SKIP LOCKED: a row another runner is rolling up is its job, this runner moves on to the next one.
        const claimed = await tx.$executeRaw`
        DELETE FROM "UsageRollupDirty" WHERE ("clusterId", "hourStart") IN (
          SELECT "clusterId", "hourStart" FROM "UsageRollupDirty"
          WHERE "clusterId" = ${d.clusterId} AND "hourStart" = ${d.hourStart} FOR UPDATE SKIP LOCKED)`;
        if (claimed === 0) return;
        // One rollup of a cluster at a time: two runners on different hours of the same day would each sum
        // the day (and month) without the other's uncommitted hour, and the later upsert would keep a stale
        // total. Waiting here, after the claim, makes the statements below see the other's committed rows.
        // (Two-key advisory locks: a keyspace apart from the single-key locks billing takes.)
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(6, hashtext(${d.clusterId}))`;
        const hourEnd = new Date(d.hourStart.getTime() + HOUR_MS);
        await tx.$executeRaw`
        INSERT INTO "UsageRollup" ("orgId","clusterId","namespace","meter","period","periodStart","quantity")
        SELECT "orgId","clusterId","namespace","meter",'hour',${d.hourStart}::timestamp(3),SUM("quantity")::bigint
        FROM "UsageSample"
        WHERE "clusterId" = ${d.clusterId} AND "windowStart" >= ${d.hourStart} AND "windowStart" < ${hourEnd}
        GROUP BY "orgId","clusterId","namespace","meter"
        ON CONFLICT ("orgId","clusterId","namespace","meter","period","periodStart")
        DO UPDATE SET "quantity" = EXCLUDED."quantity"`;
        const day = dayOf(d.hourStart);
        const dayEnd = new Date(day.getTime() + DAY_MS);
        await tx.$executeRaw`
        INSERT INTO "UsageRollup" ("orgId","clusterId","namespace","meter","period","periodStart","quantity")
        SELECT "orgId","clusterId","namespace","meter",'day',${day}::timestamp(3),SUM("quantity")::bigint
        FROM "UsageRollup"
        WHERE "clusterId" = ${d.clusterId} AND "period" = 'hour' AND "periodStart" >= ${day} AND "periodStart" < ${dayEnd}
        GROUP BY "orgId","clusterId","namespace","meter"
        ON CONFLICT ("orgId","clusterId","namespace","meter","period","periodStart")
        DO UPDATE SET "quantity" = EXCLUDED."quantity"`;
        await summarize(tx, d.clusterId, d.hourStart, day);
        done++;
      },
      { timeout: 60_000, maxWait: 30_000 },
    );
  }
  return done;
}

/** Rolls up until nothing is dirty (tests, benches, the end of a collector run). */
export async function rollupAll(): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await rollupDirty(500);
    total += n;
    if (n === 0) return total;
  }
}

/**
 * The usage page's summaries of one cluster for the hour's hour, day and month (UsageSummary): namespace "*"
 * = the cluster's total over every namespace ("" included: cluster-level and namespace meters never share a
 * name, so one row per meter serves both the charts and the per-cluster totals), and month rows of every
 * named namespace. Upserts of sums, like the rollups.
 */
async function summarize(tx: Tx, clusterId: string, hour: Date, day: Date): Promise<void> {
  const month = monthOf(hour);
  const monthEnd = nextMonth(hour);
  await tx.$executeRaw`
    INSERT INTO "UsageSummary" ("orgId","clusterId","namespace","meter","period","periodStart","quantity")
    SELECT "orgId","clusterId",'*',"meter","period","periodStart",SUM("quantity")::bigint
    FROM "UsageRollup"
    WHERE "clusterId" = ${clusterId}
      AND (("period" = 'hour' AND "periodStart" = ${hour}) OR ("period" = 'day' AND "periodStart" = ${day}))
    GROUP BY "orgId","clusterId","meter","period","periodStart"
    ON CONFLICT ("orgId","clusterId","namespace","meter","period","periodStart")
    DO UPDATE SET "quantity" = EXCLUDED."quantity"`;
  await tx.$executeRaw`
    INSERT INTO "UsageSummary" ("orgId","clusterId","namespace","meter","period","periodStart","quantity")
    SELECT "orgId","clusterId",g."ns","meter",'month',${month}::timestamp(3),SUM("quantity")::bigint
    FROM "UsageRollup", LATERAL (VALUES (NULLIF("namespace", '')), ('*')) AS g("ns")
    WHERE "clusterId" = ${clusterId} AND "period" = 'day' AND "periodStart" >= ${month} AND "periodStart" < ${monthEnd}
      AND g."ns" IS NOT NULL
    GROUP BY "orgId","clusterId",g."ns","meter"
    ON CONFLICT ("orgId","clusterId","namespace","meter","period","periodStart")
    DO UPDATE SET "quantity" = EXCLUDED."quantity"`;
}

/** Recomputes every summary of an org from its rollups (after a backfill; benches). */
export async function rebuildSummaries(orgId: string): Promise<void> {
  const db = getDb();
  await db.$transaction(
    async (tx) => {
      await tx.$executeRaw`DELETE FROM "UsageSummary" WHERE "orgId" = ${orgId}`;
      await tx.$executeRaw`
        INSERT INTO "UsageSummary" ("orgId","clusterId","namespace","meter","period","periodStart","quantity")
        SELECT "orgId","clusterId",'*',"meter","period","periodStart",SUM("quantity")::bigint
        FROM "UsageRollup" WHERE "orgId" = ${orgId}
        GROUP BY "orgId","clusterId","meter","period","periodStart"`;
      await tx.$executeRaw`
        INSERT INTO "UsageSummary" ("orgId","clusterId","namespace","meter","period","periodStart","quantity")
        SELECT "orgId","clusterId",g."ns","meter",'month',date_trunc('month',"periodStart"),SUM("quantity")::bigint
        FROM "UsageRollup", LATERAL (VALUES (NULLIF("namespace", '')), ('*')) AS g("ns")
        WHERE "orgId" = ${orgId} AND "period" = 'day' AND g."ns" IS NOT NULL
        GROUP BY "orgId","clusterId",g."ns","meter",date_trunc('month',"periodStart")`;
    },
    { timeout: 300_000, maxWait: 30_000 },
  );
}
