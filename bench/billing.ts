// Close-month benchmark: 10,000 orgs, each with a cluster running all month (6 billed meters × 30 day rollups
// = 1.8 M rollup rows), some with credits; then the month is closed for every org at once, as the worker's
// billing.close job does (set-based SQL: a handful of statements whatever the number of orgs).
//   DATABASE_URL=… tsx bench/billing.ts [--orgs 10000]
// Prints the seconds to close (goal ≤ 30 s), the time of a second close (idempotent no-op), and checks totals.
import { randomBytes } from "node:crypto";

const argv = process.argv.slice(2);
const flag = (name: string, def: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const ORGS = flag("orgs", 10_000);
const tag = `bench-billing-${randomBytes(3).toString("hex")}`;
// A month long past, so no real org of the database is billed for it.
const MONTH = new Date("2019-06-01T00:00:00Z");

const { getDb, closeDb } = await import("../packages/db/src/index.ts");
const { refreshInvoices, currentPriceBook } = await import("../packages/core/src/billing/index.ts");
const db = getDb();

async function cleanup() {
  await db.$executeRaw`DELETE FROM "UsageRollup" WHERE "clusterId" LIKE ${`${tag}-%`}`;
  await db.$executeRaw`DELETE FROM "Invoice" WHERE "orgId" LIKE ${`${tag}-%`}`;
  await db.$executeRaw`DELETE FROM "CreditEntry" WHERE "orgId" LIKE ${`${tag}-%`}`;
  await db.$executeRaw`DELETE FROM "Org" WHERE "id" LIKE ${`${tag}-%`}`;
}

try {
  await currentPriceBook();
  let t = Date.now();
  await db.$executeRaw`
    INSERT INTO "Org" ("id","name","createdAt","updatedAt","plan")
    SELECT ${tag} || '-' || g, 'Bench org ' || g, ${new Date("2019-05-01T00:00:00Z")}::timestamp(3), now(),
           (ARRAY['free','pro','business'])[1 + g % 3]
    FROM generate_series(1, ${ORGS}::int) g`;
  await db.$executeRaw`
    INSERT INTO "UsageRollup" ("orgId","clusterId","namespace","meter","period","periodStart","quantity")
    SELECT ${tag} || '-' || g, ${tag} || '-c' || g, CASE WHEN m.meter = 'storage_mib_seconds' THEN 'app' ELSE '' END,
           m.meter, 'day', ${MONTH}::timestamp(3) + (d || ' days')::interval, m.q::bigint * (1 + g % 4)
    FROM generate_series(1, ${ORGS}::int) g
    CROSS JOIN generate_series(0, 29) d
    CROSS JOIN (VALUES ('node_vcpu_seconds', 4 * 86400), ('node_memory_mib_seconds', 8192 * 86400),
                       ('controlplane_seconds', 86400), ('controlplane_ha_seconds', 86400),
                       ('loadbalancer_seconds', 86400), ('storage_mib_seconds', 10240 * 86400)) AS m(meter, q)`;
  await db.$executeRaw`
    INSERT INTO "CreditEntry" ("id","orgId","amountMinor","reason")
    SELECT ${tag} || '-cr' || g, ${tag} || '-' || g, 2500, 'bench' FROM generate_series(1, ${ORGS}::int, 10) g`;
  await db.$executeRaw`ANALYZE "UsageRollup"`;
  console.log(`seeded ${ORGS} orgs, ${ORGS * 180} day rollups in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  t = Date.now();
  const first = await refreshInvoices({ periodStart: MONTH, finalize: true });
  const closeS = (Date.now() - t) / 1000;
  t = Date.now();
  const second = await refreshInvoices({ periodStart: MONTH, finalize: true });
  const againS = (Date.now() - t) / 1000;

  const [agg] = await db.$queryRaw<{ n: bigint; lines: bigint; total: bigint; credited: bigint }[]>`
    SELECT COUNT(*)::bigint AS n,
           (SELECT COUNT(*) FROM "InvoiceLine" l WHERE l."orgId" LIKE ${`${tag}-%`})::bigint AS lines,
           SUM("totalMinor")::bigint AS total, SUM("creditMinor")::bigint AS credited
    FROM "Invoice" WHERE "orgId" LIKE ${`${tag}-%`} AND "status" = 'finalized'`;
  console.log(
    `close month for ${ORGS} orgs: ${closeS.toFixed(2)} s (goal ≤ 30 s) — ${first.finalized} invoices finalized, ${agg!.lines} lines`,
  );
  console.log(`close again (idempotent): ${againS.toFixed(2)} s — ${second.finalized} invoices changed`);
  console.log(
    `invoiced total €${(Number(agg!.total) / 100).toFixed(2)}, credits applied €${(Number(agg!.credited) / 100).toFixed(2)}`,
  );
  if (Number(agg!.n) !== ORGS) throw new Error(`expected ${ORGS} finalized invoices, got ${agg!.n}`);
} finally {
  await cleanup();
  await closeDb();
}
