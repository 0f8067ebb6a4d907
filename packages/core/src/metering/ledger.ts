// Writes to the usage ledger. One statement per batch (unnest of column arrays), `ON CONFLICT DO NOTHING`
// on (cluster, namespace, meter, window): a retried or duplicated collection changes nothing. The hours the
// batch touched are marked dirty in the same transaction, so the rollups catch up even after a crash.
import { getDb, type Tx } from "@nuage/db";
import { hourOf, type Sample } from "./meters.ts";

const BATCH = 5000;
const PARALLEL = 4;

/** Inserts the samples that are not in the ledger yet; returns how many were new. */
export async function recordSamples(samples: Sample[], tx?: Tx): Promise<number> {
  if (samples.length === 0) return 0;
  const run = async (t: Tx) => {
    let inserted = 0;
    for (let i = 0; i < samples.length; i += BATCH) {
      const n = await insertBatch(t, samples.slice(i, i + BATCH));
      inserted += n;
    }
    await markDirty(t, samples);
    return inserted;
  };
  if (tx) return run(tx);
  if (samples.length <= BATCH) return getDb().$transaction((t) => run(t), { timeout: 60_000, maxWait: 30_000 });
  // Large loads (backfills, benches): batches on several connections, each batch with its dirty hours.
  let inserted = 0;
  let next = 0;
  const worker = async () => {
    for (let i = next; i < samples.length; i = next) {
      next += BATCH;
      const batch = samples.slice(i, i + BATCH);
      const n = await getDb().$transaction(
        async (t) => {
          const n = await insertBatch(t, batch);
          await markDirty(t, batch);
          return n;
        },
        { timeout: 60_000, maxWait: 30_000 },
      );
      inserted += n;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return inserted;
}

async function insertBatch(tx: Tx, rows: Sample[]): Promise<number> {
  const ids = rows.map(() => cuidLike());
  return tx.$executeRaw`
    INSERT INTO "UsageSample" ("id","orgId","clusterId","namespace","meter","windowStart","windowSeconds","quantity","source")
    SELECT * FROM unnest(
      ${ids}::text[], ${rows.map((r) => r.orgId)}::text[], ${rows.map((r) => r.clusterId)}::text[],
      ${rows.map((r) => r.namespace)}::text[], ${rows.map((r) => r.meter)}::text[],
      ${rows.map((r) => r.windowStart.toISOString())}::timestamp(3)[], ${rows.map((r) => r.windowSeconds)}::int[],
      ${rows.map((r) => r.quantity.toString())}::bigint[], ${rows.map((r) => r.source)}::text[])
    ON CONFLICT ("clusterId","namespace","meter","windowStart") DO NOTHING`;
}

async function markDirty(tx: Tx, samples: Sample[]): Promise<void> {
  const seen = new Map<string, { orgId: string; clusterId: string; hour: string }>();
  for (const s of samples) {
    const hour = hourOf(s.windowStart).toISOString();
    seen.set(`${s.clusterId}|${hour}`, { orgId: s.orgId, clusterId: s.clusterId, hour });
  }
  const rows = [...seen.values()];
  await tx.$executeRaw`
    INSERT INTO "UsageRollupDirty" ("orgId","clusterId","hourStart")
    SELECT * FROM unnest(${rows.map((r) => r.orgId)}::text[], ${rows.map((r) => r.clusterId)}::text[],
      ${rows.map((r) => r.hour)}::timestamp(3)[])
    ON CONFLICT DO NOTHING`;
}

let counter = 0;
/** Row ids: time + process-local counter + randomness (the primary key is never used to dedupe). */
function cuidLike(): string {
  counter = (counter + 1) % 1_679_616;
  return `us${Date.now().toString(36)}${counter.toString(36).padStart(4, "0")}${Math.random().toString(36).slice(2, 10)}`;
}
