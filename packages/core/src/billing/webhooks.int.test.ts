// Stripe webhooks against the fake Stripe server: signatures (bad, stale, missing → 400), deduplication by id, and
// every event delivered three times in a shuffled order ends in the same state as one delivery in order. Then the
// dunning path: payment failed → mail → suspended after the grace period → hibernated after a second one (pools
// scaled to 0 through the cluster update operation) → paid → everything resumes.
import { randomBytes } from "node:crypto";
import { getDb } from "@nuage/db";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setClock } from "../clock.ts";
import { checkPlanLimits } from "../clusters/limits.ts";
import { dunningSweep } from "./dunning.ts";
import { ensureCustomer, ensureSubscription } from "./stripe.ts";
import { StripeFake } from "./testing/stripe-fake.ts";
import { handleStripeWebhook } from "./webhooks.ts";

const tag = `h6b-${randomBytes(4).toString("hex")}`;
let fake: StripeFake;
const orgs: string[] = [];
const users: string[] = [];
const saved: Record<string, string | undefined> = {};
const deliver = async (payload: string, signature: string) => (await handleStripeWebhook(payload, signature)).status;

async function makeOrg(name: string) {
  const db = getDb();
  const org = await db.org.create({ data: { name: `${tag} ${name}` } });
  const user = await db.user.create({ data: { email: `${tag}-${name}@test.nuage.local`, name: `Owner ${name}` } });
  await db.membership.create({ data: { orgId: org.id, userId: user.id, role: "owner" } });
  orgs.push(org.id);
  users.push(user.id);
  return org.id;
}

beforeAll(async () => {
  for (const k of ["STRIPE_SECRET_KEY", "STRIPE_API_BASE", "STRIPE_WEBHOOK_SECRET", "NUAGE_DUNNING_GRACE_DAYS"])
    saved[k] = process.env[k];
  fake = await new StripeFake({ deliver }).start();
  Object.assign(process.env, fake.env(), { NUAGE_DUNNING_GRACE_DAYS: "7" });
});

afterAll(async () => {
  setClock(null);
  await fake?.stop();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const db = getDb();
  for (const orgId of orgs) {
    await db.stripeInvoice.deleteMany({ where: { orgId } });
    await db.invoice.deleteMany({ where: { orgId } });
    await db.billingAccount.deleteMany({ where: { orgId } });
    await db.mailOutbox.deleteMany({ where: { orgId } });
    await db.auditLog.deleteMany({ where: { orgId } });
    await db.operation.deleteMany({ where: { orgId } });
    await db.org.deleteMany({ where: { id: orgId } });
  }
  await db.user.deleteMany({ where: { id: { in: users } } });
});

/** Objects at the fake and the events that told about them, for one org. */
async function scenario(orgId: string) {
  const customer = await ensureCustomer(orgId);
  const pm = fake.put({
    id: `pm_${tag}_${orgId}`,
    object: "payment_method",
    type: "card",
    customer,
    card: { brand: "visa", last4: "4242" },
  });
  await ensureSubscription(orgId); // made earlier, when the card was first added
  const sub = fake.objects.get(
    (await getDb().billingAccount.findUniqueOrThrow({ where: { orgId } })).stripeSubscriptionId!,
  )!;
  sub.status = "past_due";
  const cus = fake.objects.get(customer)!;
  cus.invoice_settings = { default_payment_method: pm.id };
  const jan = fake.makeInvoice(customer, new Date("2025-01-01Z"), new Date("2025-02-01Z"), "failed");
  fake.setInvoiceState(jan.id, "paid"); // failed, then paid on retry
  const feb = fake.makeInvoice(customer, new Date("2025-02-01Z"), new Date("2025-03-01Z"), "failed");
  return [
    fake.signedEvent("invoice.finalized", jan),
    fake.signedEvent("invoice.payment_failed", jan),
    fake.signedEvent("invoice.paid", jan),
    fake.signedEvent("invoice.finalized", feb),
    fake.signedEvent("invoice.payment_failed", feb),
    fake.signedEvent("payment_method.attached", pm),
    fake.signedEvent("customer.updated", cus),
    fake.signedEvent("customer.subscription.updated", sub),
    fake.signedEvent("charge.succeeded", { id: `ch_${tag}`, object: "charge" }),
  ];
}

async function snapshot(orgId: string) {
  const db = getDb();
  const acc = await db.billingAccount.findUniqueOrThrow({ where: { orgId } });
  const invoices = await db.stripeInvoice.findMany({ where: { orgId }, orderBy: { periodStart: "asc" } });
  return {
    paymentMethod: acc.paymentMethod,
    subscriptionStatus: acc.subscriptionStatus,
    dunningStage: acc.dunningStage,
    paymentFailed: acc.paymentFailedAt !== null,
    invoices: invoices.map((i) => [i.periodStart.toISOString(), i.status, i.amountDue, i.amountPaid]),
    mails: await db.mailOutbox.count({ where: { orgId } }),
  };
}

function shuffle<T>(a: T[]): T[] {
  const out = a.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe("Stripe webhooks", () => {
  it("refuses missing, bad and stale signatures with 400", async () => {
    const ev = fake.signedEvent("customer.updated", { id: "cus_x", object: "customer" });
    expect((await handleStripeWebhook(ev.payload, null)).status).toBe(400);
    const other = Stripe.webhooks.generateTestHeaderString({ payload: ev.payload, secret: "whsec_other" });
    expect((await handleStripeWebhook(ev.payload, other)).status).toBe(400);
    const stale = Stripe.webhooks.generateTestHeaderString({
      payload: ev.payload,
      secret: fake.webhookSecret,
      timestamp: Math.floor(Date.now() / 1000) - 3600,
    });
    expect((await handleStripeWebhook(ev.payload, stale)).status).toBe(400);
    expect((await handleStripeWebhook(`${ev.payload} `, ev.signature)).status).toBe(400); // body changed
    expect((await handleStripeWebhook(ev.payload, ev.signature)).status).toBe(200);
  });

  it("every event delivered three times, shuffled, gives the same state as one delivery", async () => {
    const once = await makeOrg("once");
    const thrice = await makeOrg("thrice");
    const evOnce = await scenario(once);
    const evThrice = await scenario(thrice);
    for (const e of evOnce) expect(await deliver(e.payload, e.signature)).toBe(200);
    const statuses = [];
    for (const e of shuffle([...evThrice, ...evThrice, ...evThrice]))
      statuses.push(await deliver(e.payload, e.signature));
    expect(statuses.every((s) => s === 200)).toBe(true);
    const a = await snapshot(once);
    const b = await snapshot(thrice);
    expect(b).toEqual(a);
    expect(a).toMatchObject({
      paymentMethod: "visa •••• 4242",
      subscriptionStatus: "past_due",
      dunningStage: "notified",
      paymentFailed: true,
      mails: 1,
    });
    expect(a.invoices.map((i) => i[1])).toEqual(["paid", "failed"]);
    const ids = evThrice.filter((e) => !e.payload.includes("charge.succeeded")).map((e) => e.id);
    expect(await getDb().stripeEvent.count({ where: { id: { in: ids }, processedAt: { not: null } } })).toBe(
      ids.length,
    );
  });

  it("dunning: suspended after the grace period, hibernated after a second, resumed by a payment", async () => {
    const db = getDb();
    const orgId = await makeOrg("dunning");
    const t0 = new Date("2025-05-01T00:00:00Z");
    setClock(t0);
    const customer = await ensureCustomer(orgId);
    const cluster = await db.cluster.create({
      data: { orgId, name: "dun", region: "local-1", version: "1.32", status: "running" },
    });
    await db.nodePool.create({
      data: { orgId, clusterId: cluster.id, name: "p", flavor: "s-1vcpu-2gb", count: 2, minCount: 1, maxCount: 4 },
    });
    const inv = fake.makeInvoice(customer, new Date("2025-04-01Z"), new Date("2025-05-01Z"), "failed");
    await fake.sendWebhook("invoice.payment_failed", inv);
    expect((await db.billingAccount.findUniqueOrThrow({ where: { orgId } })).dunningStage).toBe("notified");
    expect(await db.mailOutbox.count({ where: { orgId, subject: "Your Nuage payment failed" } })).toBe(1);

    setClock(new Date(t0.getTime() + 6 * 86_400_000));
    await dunningSweep();
    expect((await db.org.findUniqueOrThrow({ where: { id: orgId } })).suspendedAt).toBeNull();

    setClock(new Date(t0.getTime() + 7 * 86_400_000 + 1000));
    await dunningSweep();
    const org = await db.org.findUniqueOrThrow({ where: { id: orgId } });
    expect(org.suspendedBy).toBe("billing");
    expect(org.suspendedReason).toMatch(/Payment failed on 2025-05-01/);
    await expect(
      db.$transaction((tx) => checkPlanLimits(tx, orgId, [{ flavor: "s-1vcpu-2gb", count: 1 }], "a-new-cluster")),
    ).rejects.toThrow(/suspended/);

    setClock(new Date(t0.getTime() + 14 * 86_400_000 + 1000));
    await dunningSweep();
    await dunningSweep(); // idempotent
    expect((await db.billingAccount.findUniqueOrThrow({ where: { orgId } })).dunningStage).toBe("hibernated");
    expect((await db.nodePool.findFirstOrThrow({ where: { clusterId: cluster.id } })).count).toBe(0);
    const ops = await db.operation.findMany({ where: { clusterId: cluster.id } });
    expect(ops.map((o) => o.type)).toEqual(["update"]);
    expect((await db.cluster.findUniqueOrThrow({ where: { id: cluster.id } })).status).toBe("updating");
    // the worker finishes the scale-down
    await db.operation.updateMany({ where: { clusterId: cluster.id }, data: { status: "succeeded" } });
    await db.cluster.update({ where: { id: cluster.id }, data: { status: "running" } });

    fake.setInvoiceState(inv.id, "paid");
    await fake.sendWebhook("invoice.paid", inv);
    const after = await db.org.findUniqueOrThrow({ where: { id: orgId } });
    expect([after.suspendedAt, after.suspendedBy]).toEqual([null, null]);
    expect((await db.billingAccount.findUniqueOrThrow({ where: { orgId } })).dunningStage).toBe("ok");
    const pool = await db.nodePool.findFirstOrThrow({ where: { clusterId: cluster.id } });
    expect([pool.count, pool.minCount, pool.maxCount]).toEqual([2, 1, 4]);
    expect(await db.operation.count({ where: { clusterId: cluster.id } })).toBe(2);
  });
});
