// Stripe webhooks: signature checked on the raw body, events deduplicated by id (StripeEvent), only allow-listed
// types handled, and each handler fetches the object's current state from Stripe, so any order and any number of
// deliveries end in the same state.
import { getDb, isUniqueViolation } from "@nuage/db";
import type Stripe from "stripe";
import { now } from "../clock.ts";
import { applyPaymentState } from "./dunning.ts";
import { monthStart } from "./pricing.ts";
import { call, stripeClient, stripeEnabled, syncCustomer } from "./stripe.ts";

export const WEBHOOK_EVENT_TYPES = [
  "invoice.finalized",
  "invoice.paid",
  "invoice.payment_failed",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "customer.updated",
  "payment_method.attached",
] as const;

/** Seconds a signature stays valid (Stripe's default tolerance). */
export const WEBHOOK_TOLERANCE_S = 300;

export interface WebhookResult {
  status: number;
  body: Record<string, unknown>;
}

async function orgOfCustomer(customerId: string | null | undefined): Promise<string | null> {
  if (!customerId) return null;
  const acc = await getDb().billingAccount.findUnique({
    where: { stripeCustomerId: customerId },
    select: { orgId: true },
  });
  return acc?.orgId ?? null;
}

const idOf = (v: string | { id: string } | null | undefined) => (v == null ? null : typeof v === "string" ? v : v.id);

/** Mirrors a Stripe invoice (current state) and sets the org's payment state from it. */
export async function syncStripeInvoice(invoiceId: string): Promise<void> {
  const inv = await call((s) => s.invoices.retrieve(invoiceId));
  const orgId = await orgOfCustomer(idOf(inv.customer));
  if (!orgId) return;
  const failed = inv.status === "open" && (inv.attempt_count ?? 0) > 0 && inv.amount_remaining > 0;
  const status = inv.status === "paid" ? "paid" : failed ? "failed" : (inv.status ?? "draft");
  const periodStart = new Date(inv.period_start * 1000);
  const data = {
    orgId,
    status,
    amountDue: BigInt(inv.amount_due),
    amountPaid: BigInt(inv.amount_paid),
    currency: inv.currency,
    periodStart,
    periodEnd: new Date(inv.period_end * 1000),
    hostedUrl: inv.hosted_invoice_url ?? null,
  };
  await getDb().stripeInvoice.upsert({ where: { id: inv.id! }, create: { id: inv.id!, ...data }, update: data });
  await getDb().invoice.updateMany({
    where: { orgId, periodStart: monthStart(periodStart) },
    data: {
      stripeInvoiceId: inv.id,
      hostedUrl: inv.hosted_invoice_url ?? null,
      paymentStatus: status === "paid" ? "paid" : status === "failed" ? "failed" : "pending",
    },
  });
  await applyPaymentState(orgId);
}

async function syncSubscription(subscriptionId: string): Promise<void> {
  const sub = await call((s) => s.subscriptions.retrieve(subscriptionId));
  const orgId = await orgOfCustomer(idOf(sub.customer));
  if (!orgId) return;
  await getDb().billingAccount.updateMany({
    where: { orgId, OR: [{ stripeSubscriptionId: sub.id }, { stripeSubscriptionId: null }] },
    data:
      sub.status === "canceled"
        ? { stripeSubscriptionId: null, subscriptionStatus: "canceled" }
        : { stripeSubscriptionId: sub.id, subscriptionStatus: sub.status },
  });
}

async function processEvent(event: Stripe.Event): Promise<void> {
  const obj = event.data.object as unknown as { id: string; customer?: string | { id: string } | null };
  switch (event.type) {
    case "invoice.finalized":
    case "invoice.paid":
    case "invoice.payment_failed":
      await syncStripeInvoice(obj.id);
      break;
    case "customer.subscription.updated":
    case "customer.subscription.deleted":
      await syncSubscription(obj.id);
      break;
    case "customer.updated": {
      const orgId = await orgOfCustomer(obj.id);
      if (orgId) await syncCustomer(orgId);
      break;
    }
    case "payment_method.attached": {
      const orgId = await orgOfCustomer(idOf(obj.customer));
      if (orgId) await syncCustomer(orgId);
      break;
    }
  }
}

/** Handles one delivery: 400 on a missing, bad or stale signature; 200 once processed (or already processed). */
export async function handleStripeWebhook(rawBody: string, signature: string | null): Promise<WebhookResult> {
  const secret = process.env.STRIPE_WEBHOOK_SECRET;
  if (!stripeEnabled() || !secret) return { status: 404, body: { error: "Stripe is not configured on this platform" } };
  if (!signature) return { status: 400, body: { error: "Missing Stripe-Signature header" } };
  let event: Stripe.Event;
  try {
    event = stripeClient().webhooks.constructEvent(rawBody, signature, secret, WEBHOOK_TOLERANCE_S);
  } catch {
    return { status: 400, body: { error: "Invalid or expired webhook signature" } };
  }
  if (!(WEBHOOK_EVENT_TYPES as readonly string[]).includes(event.type)) {
    return { status: 200, body: { received: true, ignored: event.type } };
  }
  const db = getDb();
  try {
    await db.stripeEvent.create({ data: { id: event.id, type: event.type } });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const seen = await db.stripeEvent.findUnique({ where: { id: event.id } });
    if (seen?.processedAt) return { status: 200, body: { received: true, duplicate: true } };
  }
  await processEvent(event);
  await db.stripeEvent.update({ where: { id: event.id }, data: { processedAt: now() } });
  return { status: 200, body: { received: true } };
}
