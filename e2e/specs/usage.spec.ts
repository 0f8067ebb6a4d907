// The usage page: empty state for a new org, then (with a week of rollups seeded in the run's database,
// as the collector would write them) charts, per-cluster and per-namespace tables, the budget form with
// its validation, and the CSV export.
import { readFile } from "node:fs/promises";
import pg from "pg";
import { expect, test } from "../support/fixtures.ts";

const HOUR = 3_600_000;

async function seed(orgId: string): Promise<string> {
  const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  const clusterId = `e2e-usage-${orgId}`;
  try {
    // A cluster deleted a moment ago: its usage stays in the ledger; the collector has nothing to read.
    await db.query(
      `INSERT INTO "Cluster" ("id","orgId","name","region","version","status","updatedAt","deletedAt")
       VALUES ($1,$2,'shop-prod','local-1','1.32','deleted',now() - interval '2 days',now() - interval '2 days')`,
      [clusterId, orgId],
    );
    const now = Date.now();
    const rows: unknown[][] = [];
    for (let h = 1; h <= 48; h++) {
      const t = new Date(Math.floor((now - h * HOUR) / HOUR) * HOUR);
      rows.push([orgId, clusterId, "", "node_vcpu_seconds", "hour", t, 4 * 3600]);
      rows.push([orgId, clusterId, "", "node_memory_mib_seconds", "hour", t, 8192 * 3600]);
      rows.push([orgId, clusterId, "", "controlplane_seconds", "hour", t, 3600]);
      rows.push([orgId, clusterId, "shop", "cpu_usage_millicore_seconds", "hour", t, 1200 * 3600]);
      rows.push([orgId, clusterId, "shop", "cpu_request_millicore_seconds", "hour", t, 2000 * 3600]);
      rows.push([orgId, clusterId, "shop", "storage_mib_seconds", "hour", t, 10240 * 3600]);
    }
    const days = new Map<string, unknown[]>();
    for (const r of rows) {
      const day = new Date(Math.floor((r[5] as Date).getTime() / 86_400_000) * 86_400_000);
      const key = `${r[2]}|${r[3]}|${day.toISOString()}`;
      const d = days.get(key) ?? [r[0], r[1], r[2], r[3], "day", day, 0];
      d[6] = (d[6] as number) + (r[6] as number);
      days.set(key, d);
    }
    for (const r of [...rows, ...days.values()])
      await db.query(
        `INSERT INTO "UsageRollup" ("orgId","clusterId","namespace","meter","period","periodStart","quantity")
         VALUES ($1,$2,$3,$4,$5,$6,$7)`,
        r,
      );
    // The page's summaries, as the rollup step writes them with the rollups (rebuildSummaries' SQL):
    // namespace "*" = the cluster's total of every namespace per period, and month rows per namespace.
    await db.query(
      `INSERT INTO "UsageSummary" ("orgId","clusterId","namespace","meter","period","periodStart","quantity")
       SELECT "orgId","clusterId",'*',"meter","period","periodStart",SUM("quantity")::bigint
       FROM "UsageRollup" WHERE "orgId" = $1 GROUP BY "orgId","clusterId","meter","period","periodStart"`,
      [orgId],
    );
    await db.query(
      `INSERT INTO "UsageSummary" ("orgId","clusterId","namespace","meter","period","periodStart","quantity")
       SELECT "orgId","clusterId",g."ns","meter",'month',date_trunc('month',"periodStart"),SUM("quantity")::bigint
       FROM "UsageRollup", LATERAL (VALUES (NULLIF("namespace", '')), ('*')) AS g("ns")
       WHERE "orgId" = $1 AND "period" = 'day' AND g."ns" IS NOT NULL
       GROUP BY "orgId","clusterId",g."ns","meter",date_trunc('month',"periodStart")`,
      [orgId],
    );
  } finally {
    await db.end();
  }
  return clusterId;
}

test("the usage page charts usage, sets a budget and exports CSV", async ({ tenant, page }) => {
  test.setTimeout(120_000);
  await page.goto("/usage");
  await expect(page.getByRole("heading", { name: "Usage", level: 1 })).toBeVisible();
  await expect(page.getByText("No usage in this range")).toBeVisible();
  await expect(page.getByRole("button", { name: "Export CSV" })).toBeDisabled();

  await seed(tenant.orgId);
  await page.reload();
  await expect(page.getByRole("heading", { name: "CPU" })).toBeVisible();
  await expect(page.locator("figure svg").first()).toBeVisible();
  const clusters = page.getByRole("table", { name: "Usage by cluster" });
  await expect(clusters.getByRole("row").filter({ hasText: "shop-prod" })).toContainText("192");
  const namespaces = page.getByRole("table", { name: "Usage by namespace" });
  await expect(namespaces.getByRole("row").filter({ hasText: "shop" })).toContainText("57.6");

  // Budget: a bad amount is refused naming the field; a good one shows the month-to-date against it.
  const amount = page.getByLabel("Budget per month (EUR)");
  await amount.fill("ten");
  await page.getByRole("button", { name: "Save budget" }).click();
  await expect(page.getByText("Enter an amount greater than 0")).toBeVisible();
  await amount.fill("5");
  await page.getByRole("button", { name: "Save budget" }).click();
  await expect(page.getByText(/of €5\.00 this month/)).toBeVisible();
  await expect(page.getByRole("progressbar", { name: "Budget used this month" })).toBeVisible();

  // CSV export of the same range.
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^nuage-usage-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = await readFile((await file.path()) as string, "utf8");
  expect(csv.split("\n")[0]).toBe(
    "period_start,cluster_id,cluster_name,namespace,meter,quantity,display_quantity,display_unit",
  );
  expect(csv).toContain(",shop-prod,shop,storage_mib_seconds,");

  // Hourly points for the last 24 hours.
  await page.getByLabel("Range").selectOption("24h");
  await expect(page.getByRole("heading", { name: "Memory" })).toBeVisible();

  // Removing the budget asks first.
  await page.getByRole("button", { name: "Remove", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Remove budget" }).click();
  await expect(
    page.getByText("No budget is set", { exact: false }).or(page.getByLabel("Budget per month (EUR)")),
  ).toBeVisible();
});
