// A plan change while Stripe fails: the change stands (limits included) and the answer says the Stripe update is
// pending; the subscription keeps the old plan's prices until the billing sweep (`reconcileSubscriptionPlans`, a
// step of billing.report) swaps them, exactly once per price; a second sweep calls Stripe for nothing. Also: the
// admin console's plan change takes the same path, one org's Stripe failure does not stop the others, and a run
// killed between Stripe's update and our record converges without a second update, and a plan change's swap
// racing the sweep's makes one update.
import { randomBytes } from "node:crypto";
import { getDb } from "@nuage/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../actor.ts";
import { setTenantPlan } from "../admin/tenants.ts";
import { billingStatus } from "./dunning.ts";
import { reconcileSubscriptionPlans } from "./plansync.ts";
import { changeOrgPlan, currentPriceBook, setOrgPlan } from "./pricebook.ts";
import { BILLED_METER_LIST } from "./pricing.ts";
import { ensureCustomer, ensureSubscription, syncSubscriptionItems } from "./stripe.ts";
import { StripeFake } from "./testing/stripe-fake.ts";

const tag = `plansync-${randomBytes(4).toString("hex")}`;
let fake: StripeFake;
const orgs: string[] = [];
const users: string[] = [];
const saved: Record<string, string | undefined> = {};

async function makeOrg(name: string) {
  const db = getDb();
  const org = await db.org.create({ data: { name: `${tag} ${name}` } });
  const user = await db.user.create({ data: { email: `${tag}-${name}@test.nuage.local`, name: `Owner ${name}` } });
  await db.membership.create({ data: { orgId: org.id, userId: user.id, role: "owner" } });
  orgs.push(org.id);
  users.push(user.id);
  return { orgId: org.id, userId: user.id };
}

beforeAll(async () => {
  for (const k of ["STRIPE_SECRET_KEY", "STRIPE_API_BASE", "STRIPE_WEBHOOK_SECRET"]) saved[k] = process.env[k];
  fake = await new StripeFake().start();
  Object.assign(process.env, fake.env());
});

afterAll(async () => {
  await fake?.stop();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const db = getDb();
  for (const orgId of orgs) {
    await db.invoice.deleteMany({ where: { orgId } });
    await db.billingAccount.deleteMany({ where: { orgId } });
    await db.auditLog.deleteMany({ where: { orgId } });
    await db.org.deleteMany({ where: { id: orgId } });
  }
  await db.user.deleteMany({ where: { id: { in: users } } });
});

const subscriptionId = async (orgId: string) =>
  (await getDb().billingAccount.findUniqueOrThrow({ where: { orgId } })).stripeSubscriptionId!;

/** The subscription's items at the fake, as catalog rows (plan, meter, version) in price order. */
async function itemsAtStripe(orgId: string) {
  const sub = fake.objects.get(await subscriptionId(orgId)) as unknown as {
    items: { data: { price: { id: string } }[] };
  };
  const prices = sub.items.data.map((i) => i.price.id);
  const rows = await getDb().stripeCatalog.findMany({ where: { stripePriceId: { in: prices } } });
  return prices.map((p) => rows.find((r) => r.stripePriceId === p) ?? { stripePriceId: p, plan: "?", meter: "?" });
}

/** Exactly one price per billed meter, all of `plan` (and of one price book version): no duplicates, nothing else. */
async function expectPlanPrices(orgId: string, plan: string) {
  const items = await itemsAtStripe(orgId);
  expect(items.map((i) => i.plan)).toEqual(BILLED_METER_LIST.map(() => plan));
  expect(items.map((i) => i.meter).sort()).toEqual([...BILLED_METER_LIST].sort());
  expect(new Set(items.map((i) => i.stripePriceId)).size).toBe(BILLED_METER_LIST.length);
  expect(new Set(items.map((i) => (i as { priceVersion?: number }).priceVersion)).size).toBe(1);
}

const subscriptionUpdates = (subId: string) =>
  fake.requests.filter((r) => r.method === "POST" && r.path === `/v1/subscriptions/${subId}`).length;
const requestsAbout = (subId: string) => fake.requests.filter((r) => r.path.includes(subId)).length;
const failSubscriptionUpdates = () => fake.failNext(3, { method: "POST", path: /^\/v1\/subscriptions\/sub_/ }); // 1 call + the SDK's 2 retries

describe("plan changes reach Stripe", () => {
  it("a plan change whose Stripe update failed is applied by the sweep, once", async () => {
    const db = getDb();
    const a = await makeOrg("a");
    const b = await makeOrg("b");
    const broken = await makeOrg("broken");
    for (const o of [a, b]) {
      await ensureCustomer(o.orgId);
      await ensureSubscription(o.orgId); // on Free's prices, as after Checkout
      await expectPlanPrices(o.orgId, "free");
      expect((await db.billingAccount.findUniqueOrThrow({ where: { orgId: o.orgId } })).subscriptionPlan).toBe("free");
    }
    // Nothing drifted: the sweep does not call Stripe at all.
    const before = fake.requests.length;
    expect(await reconcileSubscriptionPlans({ orgIds: [a.orgId, b.orgId] })).toEqual({
      checked: 0,
      updated: 0,
      failed: 0,
    });
    expect(fake.requests.length).toBe(before);

    // The owner switches to Pro while Stripe answers 500 to the subscription update: the change stands, the
    // answer says Stripe is pending, and so does the billing status the billing page shows.
    const subA = await subscriptionId(a.orgId);
    failSubscriptionUpdates();
    const scope = { orgId: a.orgId, role: "owner" as const, actor: { type: "user", userId: a.userId } as Actor };
    expect(await changeOrgPlan(scope, { plan: "pro" })).toEqual({
      plan: "pro",
      stripeUpdated: false,
      stripeSyncPending: true,
    });
    expect(subscriptionUpdates(subA)).toBe(3); // tried (with the SDK's retries), refused
    const book = await currentPriceBook();
    const orgA = await db.org.findUniqueOrThrow({ where: { id: a.orgId } });
    expect([orgA.plan, orgA.maxClusters]).toEqual(["pro", book.plans.pro.limits.maxClusters]);
    expect((await billingStatus(a.orgId)).planSyncPending).toBe(true);
    await expectPlanPrices(a.orgId, "free"); // Stripe still bills Free's prices

    // The admin console's plan change goes the same way (limits, then Stripe; pending when Stripe fails).
    failSubscriptionUpdates();
    const admin: Actor = { type: "operator-cli" };
    const tb = await setTenantPlan(admin, { id: b.orgId, plan: "business" });
    expect([tb.stripeSync, tb.plan]).toEqual(["pending", "business"]);
    expect((await db.org.findUniqueOrThrow({ where: { id: b.orgId } })).maxClusters).toBe(
      book.plans.business.limits.maxClusters,
    );
    await expectPlanPrices(b.orgId, "free");

    // An org whose subscription Stripe does not know: its failure is logged, the others go on.
    await db.billingAccount.create({
      data: { orgId: broken.orgId, stripeCustomerId: `cus_${tag}`, stripeSubscriptionId: `sub_${tag}_missing` },
    });

    const ids = [a.orgId, b.orgId, broken.orgId];
    expect(await reconcileSubscriptionPlans({ orgIds: ids, pageSize: 1 })).toEqual({
      checked: 3,
      updated: 2,
      failed: 1,
    });
    await expectPlanPrices(a.orgId, "pro");
    await expectPlanPrices(b.orgId, "business");
    expect((await billingStatus(a.orgId)).planSyncPending).toBe(false);
    expect(subscriptionUpdates(subA)).toBe(4);

    // Again: only the broken org is looked at; no request about the others' subscriptions.
    const subB = await subscriptionId(b.orgId);
    const [ra, rb] = [requestsAbout(subA), requestsAbout(subB)];
    expect(await reconcileSubscriptionPlans({ orgIds: ids })).toEqual({ checked: 1, updated: 0, failed: 1 });
    expect([requestsAbout(subA), requestsAbout(subB)]).toEqual([ra, rb]);
    await expectPlanPrices(a.orgId, "pro");

    // Killed after Stripe's update but before our record: the next run reads the subscription, finds the plan's
    // prices and records it, with no second update.
    await db.billingAccount.update({ where: { orgId: a.orgId }, data: { subscriptionPlan: null } });
    expect((await billingStatus(a.orgId)).planSyncPending).toBe(true);
    expect(await reconcileSubscriptionPlans({ orgIds: [a.orgId] })).toEqual({ checked: 1, updated: 0, failed: 0 });
    expect(subscriptionUpdates(subA)).toBe(4);
    await expectPlanPrices(a.orgId, "pro");
    expect((await billingStatus(a.orgId)).planSyncPending).toBe(false);

    // With Stripe up, a plan change is applied at once.
    expect(await changeOrgPlan(scope, { plan: "business" })).toEqual({
      plan: "business",
      stripeUpdated: true,
      stripeSyncPending: false,
    });
    await expectPlanPrices(a.orgId, "business");
    expect(await reconcileSubscriptionPlans({ orgIds: [a.orgId] })).toEqual({ checked: 0, updated: 0, failed: 0 });

    // A plan change's swap and the sweep at once: one of them swaps (one per org at a time), the other finds the
    // prices; exactly one update, no item twice.
    await setOrgPlan(admin, { orgId: a.orgId, plan: "pro" });
    const updates = subscriptionUpdates(subA);
    const [mine, sweep] = await Promise.all([
      syncSubscriptionItems(a.orgId),
      reconcileSubscriptionPlans({ orgIds: [a.orgId] }),
    ]);
    expect([mine, sweep.updated].filter((r) => r === "updated" || r === 1)).toHaveLength(1);
    expect(subscriptionUpdates(subA)).toBe(updates + 1);
    await expectPlanPrices(a.orgId, "pro");
  });
});
