// The billing page: month-to-date, forecast and the daily cost chart (from day rollups seeded in the run's
// database as the collector writes them), the invoice list and the printable invoice, and the payment-method flow
// through the fake Stripe server (Checkout in setup mode → card saved → back to /billing, webhooks signed).
import pg from "pg";
import { expect, makeTenant, test } from "../support/fixtures.ts";

const DAY = 86_400_000;

async function seed(orgId: string): Promise<void> {
  const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  const clusterId = `e2e-billing-${orgId}`;
  try {
    await db.query(
      `INSERT INTO "Cluster" ("id","orgId","name","region","version","status","updatedAt","deletedAt")
       VALUES ($1,$2,'billing-prod','local-1','1.32','deleted',now(),now())`,
      [clusterId, orgId],
    );
    const today = Math.floor(Date.now() / DAY) * DAY;
    const monthStart = Date.UTC(new Date(today).getUTCFullYear(), new Date(today).getUTCMonth(), 1);
    for (let d = monthStart; d <= today; d += DAY) {
      for (const [meter, q] of [
        ["node_vcpu_seconds", 40 * 86_400],
        ["node_memory_mib_seconds", 81_920 * 86_400],
        ["controlplane_seconds", 86_400],
      ] as const) {
        await db.query(
          `INSERT INTO "UsageRollup" ("orgId","clusterId","namespace","meter","period","periodStart","quantity")
           VALUES ($1,$2,'',$3,'day',$4,$5)`,
          [orgId, clusterId, meter, new Date(d), q],
        );
      }
    }
  } finally {
    await db.end();
  }
}

/** What the Stripe subscription was last seen to carry (the plan sweep compares it with the org's plan). */
async function markSubscriptionPlan(orgId: string, plan: string): Promise<void> {
  const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  try {
    const res = await db.query(`UPDATE "BillingAccount" SET "subscriptionPlan" = $2 WHERE "orgId" = $1`, [orgId, plan]);
    if (res.rowCount !== 1) throw new Error(`no billing account for org ${orgId}`);
  } finally {
    await db.end();
  }
}

test("billing shows month-to-date, a chart, invoices, and adds a card through Checkout", async ({ tenant, page }) => {
  await seed(tenant.orgId);
  await page.goto("/billing");
  await expect(page.getByRole("heading", { name: "Billing", level: 1 })).toBeVisible();
  // 40 vCPU all month: far above the free plan's included 100 vCPU-hours.
  await expect(page.getByTestId("billing-mtd")).toHaveText(/€[1-9][\d,]*\.\d\d/);
  await expect(page.getByTestId("billing-forecast")).toHaveText(/€[1-9]/);
  await expect(page.locator("figure svg").first()).toBeVisible();

  const invoices = page.getByRole("table", { name: "Invoices" });
  await expect(invoices.getByRole("row").filter({ hasText: "In progress" })).toBeVisible();

  // Payment method: none yet, then Stripe Checkout (the fake one) in setup mode.
  await expect(page.getByTestId("payment-method")).toContainText("No payment method yet");
  await page.getByRole("button", { name: "Add payment method" }).click();
  await expect(page.getByRole("heading", { name: "Fake Stripe Checkout" })).toBeVisible();
  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByRole("button", { name: "Save card" }).click();
  await expect(page).toHaveURL(/\/billing\?checkout=success/);
  await expect(page.getByText("Payment method saved")).toBeVisible();
  await expect(page.getByTestId("payment-method")).toContainText("visa •••• 4242");
  await expect(page.getByRole("button", { name: "Manage in Stripe" })).toBeVisible();

  // Switching plan (owner): the card moves to Pro, and the month-to-date is priced with Pro's prices.
  await expect(page.getByTestId("plan-free")).toContainText("Current plan");
  const freeMtd = await page.getByTestId("billing-mtd").textContent();
  await page.getByRole("button", { name: "Switch to Pro" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Switch to Pro" }).click();
  await expect(page.getByTestId("plan-pro")).toContainText("Current plan");
  await expect(page.getByTestId("plan-free")).not.toContainText("Current plan");
  await expect(page.getByTestId("billing-mtd")).not.toHaveText(freeMtd ?? "");
  await expect(page.getByText("Your plan change is not yet on your Stripe subscription")).toHaveCount(0);

  // Had Stripe refused the change (it was down), the subscription would still carry Free: the page says the
  // change is pending, and the hourly sweep retries it.
  await markSubscriptionPlan(tenant.orgId, "free");
  await page.reload();
  await expect(page.getByText("Your plan change is not yet on your Stripe subscription")).toBeVisible();
  await expect(page.getByText(/already follow the Pro plan/)).toBeVisible();
  await markSubscriptionPlan(tenant.orgId, "pro");

  // The printable invoice of the month so far.
  await page
    .getByRole("link", { name: /View the invoice of/ })
    .first()
    .click();
  await expect(page.getByRole("heading", { name: /^Invoice · / })).toBeVisible();
  const lines = page.getByRole("table", { name: "Invoice lines" });
  await expect(lines.getByRole("row").filter({ hasText: "billing-prod" }).filter({ hasText: "vCPU" })).toContainText(
    "vCPU-hours",
  );
  await expect(lines.getByRole("row").filter({ hasText: "Included in plan" }).first()).toBeVisible();
  await expect(page.getByTestId("invoice-total")).toHaveText(/€[1-9]/);
  await expect(page.getByRole("button", { name: "Print or save as PDF" })).toBeVisible();
});

test("members cannot see billing", async ({ page }) => {
  const owner = await makeTenant(page, "billing-owner");
  const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  try {
    await db.query(`UPDATE "Membership" SET "role" = 'member' WHERE "orgId" = $1`, [owner.orgId]);
  } finally {
    await db.end();
  }
  await page.goto("/billing");
  await expect(page.getByText("Your role (member) cannot see billing")).toBeVisible();
});
