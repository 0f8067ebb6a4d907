// Writes to the usage ledger. One statement per batch, `ON CONFLICT DO NOTHING` on the ledger's key (cluster,
// window, namespace, meter): a retried or duplicated collection changes nothing. The hours the batch touched
// are marked dirty in the same transaction, so the rollups catch up even after a crash.
//
// A batch travels as a dictionary: the distinct (org, cluster, window, seconds, source) groups, namespaces and
// meters once each, and per sample only numbers (group, namespace and meter positions, quantity). The
// collector's batches repeat the same few clusters, windows and meters thousands of times, and escaping and
// parsing those strings per row cost more than the insert itself.
import { getDb, type Tx } from "@nuage/db";
import { HOUR_MS, type Sample } from "./meters.ts";

const BATCH = 5000;
const PARALLEL = 4;

/** Inserts the samples that are not in the ledger yet; returns how many were new. */
export async function recordSamples(samples: Sample[], tx?: Tx): Promise<number> {
  if (samples.length === 0) return 0;
  if (tx || samples.length <= BATCH) {
    const run = async (t: Tx) => {
      let inserted = 0;
      for (let i = 0; i < samples.length; i += BATCH) {
        const n = await writeBatch(t, samples.slice(i, i + BATCH));
        inserted += n;
      }
      return inserted;
    };
    return tx ? run(tx) : getDb().$transaction(run, { timeout: 60_000, maxWait: 30_000 });
  }
  // Large loads (backfills, benches): batches on several connections, each batch with its dirty hours.
  let inserted = 0;
  let next = 0;
  const worker = async () => {
    while (next < samples.length) {
      const batch = samples.slice(next, next + BATCH);
      next += BATCH;
      // Not `inserted += await …`: that reads `inserted` before the await and loses the other workers' counts.
      const n = await getDb().$transaction((t) => writeBatch(t, batch), { timeout: 60_000, maxWait: 30_000 });
      inserted += n;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return inserted;
}

interface Encoded {
  // groups: one per distinct (org, cluster, window, seconds, source)
  orgs: string[];
  clusters: string[];
  windows: string[];
  seconds: number[];
  sources: string[];
  namespaces: string[];
  meters: string[];
  // per sample: 1-based positions in the arrays above, and the quantity
  group: number[];
  namespace: number[];
  meter: number[];
  quantity: string[];
  // dirty hours: one per distinct (cluster, hour)
  dirtyOrgs: string[];
  dirtyClusters: string[];
  dirtyHours: string[];
}

function encode(rows: Sample[]): Encoded {
  const e: Encoded = {
    orgs: [],
    clusters: [],
    windows: [],
    seconds: [],
    sources: [],
    namespaces: [],
    meters: [],
    group: new Array(rows.length),
    namespace: new Array(rows.length),
    meter: new Array(rows.length),
    quantity: new Array(rows.length),
    dirtyOrgs: [],
    dirtyClusters: [],
    dirtyHours: [],
  };
  // cluster → window (ms) → positions of the groups with that cluster and window (usually one)
  const groups = new Map<string, Map<number, number[]>>();
  const hours = new Map<string, Set<number>>();
  const namespaces = new Map<string, number>();
  const meters = new Map<string, number>();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as Sample;
    const ms = r.windowStart.getTime();
    let byWindow = groups.get(r.clusterId);
    if (!byWindow) {
      byWindow = new Map();
      groups.set(r.clusterId, byWindow);
    }
    let candidates = byWindow.get(ms);
    if (!candidates) {
      candidates = [];
      byWindow.set(ms, candidates);
    }
    let g = 0;
    for (const c of candidates) {
      if (e.orgs[c - 1] === r.orgId && e.seconds[c - 1] === r.windowSeconds && e.sources[c - 1] === r.source) {
        g = c;
        break;
      }
    }
    if (g === 0) {
      g = e.orgs.push(r.orgId);
      e.clusters.push(r.clusterId);
      e.windows.push(r.windowStart.toISOString());
      e.seconds.push(r.windowSeconds);
      e.sources.push(r.source);
      candidates.push(g);
      const hour = Math.floor(ms / HOUR_MS) * HOUR_MS;
      let seen = hours.get(r.clusterId);
      if (!seen) {
        seen = new Set();
        hours.set(r.clusterId, seen);
      }
      if (!seen.has(hour)) {
        seen.add(hour);
        e.dirtyOrgs.push(r.orgId);
        e.dirtyClusters.push(r.clusterId);
        e.dirtyHours.push(new Date(hour).toISOString());
      }
    }
    let n = namespaces.get(r.namespace);
    if (n === undefined) {
      n = e.namespaces.push(r.namespace);
      namespaces.set(r.namespace, n);
    }
    let m = meters.get(r.meter);
    if (m === undefined) {
      m = e.meters.push(r.meter);
      meters.set(r.meter, m);
    }
    e.group[i] = g;
    e.namespace[i] = n;
    e.meter[i] = m;
    e.quantity[i] = r.quantity.toString();
  }
  return e;
}

/** One batch: its new samples, then its hours marked dirty (same transaction). Returns how many were new. */
async function writeBatch(tx: Tx, rows: Sample[]): Promise<number> {
  const e = encode(rows);
  const inserted = await tx.$executeRaw`
    INSERT INTO "UsageSample" ("orgId","clusterId","namespace","meter","windowStart","windowSeconds","quantity","source")
    SELECT g."orgId", g."clusterId", n."namespace", m."meter", g."windowStart", g."windowSeconds", s."quantity", g."source"
    FROM unnest(${e.group}::int[], ${e.namespace}::int[], ${e.meter}::int[], ${e.quantity}::bigint[])
      AS s("g", "n", "m", "quantity")
    JOIN unnest(${e.orgs}::text[], ${e.clusters}::text[], ${e.windows}::timestamp(3)[], ${e.seconds}::int[],
        ${e.sources}::text[]) WITH ORDINALITY AS g("orgId", "clusterId", "windowStart", "windowSeconds", "source", "i")
      ON g."i" = s."g"
    JOIN unnest(${e.namespaces}::text[]) WITH ORDINALITY AS n("namespace", "i") ON n."i" = s."n"
    JOIN unnest(${e.meters}::text[]) WITH ORDINALITY AS m("meter", "i") ON m."i" = s."m"
    ON CONFLICT ("clusterId","windowStart","namespace","meter") DO NOTHING`;
  await tx.$executeRaw`
    INSERT INTO "UsageRollupDirty" ("orgId","clusterId","hourStart")
    SELECT * FROM unnest(${e.dirtyOrgs}::text[], ${e.dirtyClusters}::text[], ${e.dirtyHours}::timestamp(3)[])
    ON CONFLICT DO NOTHING`;
  return inserted;
}
