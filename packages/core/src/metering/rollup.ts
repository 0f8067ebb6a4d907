// Hour and day rollups per org, cluster, namespace and meter. Recomputed from the ledger for each dirty hour
// (an upsert of the sum, so running it twice gives the same rows), then the hour's day from the hour rows.
import { getDb } from "@nuage/db";
import { DAY_MS, dayOf, HOUR_MS } from "./meters.ts";

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
    await db.$transaction(async (tx) => {
      // Claiming the row first: a sample batch committing after this point marks the hour dirty again.
      const claimed = await tx.$executeRaw`
        DELETE FROM "UsageRollupDirty" WHERE "clusterId" = ${d.clusterId} AND "hourStart" = ${d.hourStart}`;
      if (claimed === 0) return;
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
      done++;
    });
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
