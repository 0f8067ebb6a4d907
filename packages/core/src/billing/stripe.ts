// Stripe, optional: without STRIPE_SECRET_KEY nothing here is called and payments show "not collected".
// STRIPE_API_BASE (e.g. http://127.0.0.1:12111) points the SDK at another server (the tests' fake).
// Every call goes through `call()`: 429s are retried after Retry-After (or an exponential backoff).
import { createHash } from "node:crypto";
import { getDb, isUniqueViolation, Prisma } from "@nuage/db";
import Stripe from "stripe";
import { now } from "../clock.ts";
import { coreEnv } from "../env.ts";
import { AppError } from "../errors.ts";
import { currentPriceBook, type PlanKey } from "./pricebook.ts";
import { BILLED_METER_LIST, BILLED_METERS, type BilledMeter, monthSeconds, unitSize } from "./pricing.ts";

export function stripeEnabled(): boolean {
  return Boolean(process.env.STRIPE_SECRET_KEY);
}

/** Tests share one database: under NUAGE_TEST=1, NUAGE_BILLING_TEST_ORGS (comma-separated) limits the jobs. */
export function billingTestOrgs(): string[] | null {
  const raw = process.env.NUAGE_TEST === "1" ? process.env.NUAGE_BILLING_TEST_ORGS : undefined;
  return raw ? raw.split(",").filter(Boolean) : null;
}

let cached: { key: string; base: string; client: Stripe } | null = null;

export function stripeClient(): Stripe {
  const key = process.env.STRIPE_SECRET_KEY;
  if (!key) throw new AppError("CONFLICT", "Payments are not configured on this platform (no Stripe key)");
  const base = process.env.STRIPE_API_BASE ?? "";
  if (cached && cached.key === key && cached.base === base) return cached.client;
  const opts: Stripe.StripeConfig = { maxNetworkRetries: 2, timeout: 20_000, appInfo: { name: "nuage" } };
  if (base) {
    const u = new URL(base);
    opts.host = u.hostname;
    opts.port = Number(u.port || (u.protocol === "https:" ? 443 : 80));
    opts.protocol = u.protocol === "https:" ? "https" : "http";
  }
  cached = { key, base, client: new Stripe(key, opts) };
  return cached.client;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a Stripe call, retrying rate-limit errors (429) up to 6 times with Retry-After or backoff. */
export async function call<T>(fn: (s: Stripe) => Promise<T>): Promise<T> {
  const s = stripeClient();
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(s);
    } catch (e) {
      const err = e as { statusCode?: number; headers?: Record<string, string> };
      if (err?.statusCode !== 429 || attempt >= 6) throw e;
      const ra = Number(err.headers?.["retry-after"]);
      const wait = Number.isFinite(ra) && ra >= 0 ? ra * 1000 : 250 * 2 ** attempt;
      await sleep(Math.min(wait, 30_000) + Math.floor(Math.random() * 50));
    }
  }
}

async function account(orgId: string) {
  return getDb().billingAccount.upsert({ where: { orgId }, create: { orgId }, update: {} });
}

/** The org's Stripe customer, created once (idempotency key per org). */
export async function ensureCustomer(orgId: string): Promise<string> {
  const acc = await account(orgId);
  if (acc.stripeCustomerId) return acc.stripeCustomerId;
  const org = await getDb().org.findUnique({ where: { id: orgId }, select: { name: true } });
  if (!org) throw new AppError("NOT_FOUND", "Organization not found");
  const customer = await call((s) =>
    s.customers.create(
      { name: org.name, metadata: { nuageOrgId: orgId } },
      { idempotencyKey: `nuage-customer-${orgId}` },
    ),
  );
  const hour = new Date(Math.floor(now().getTime() / 3600_000) * 3600_000);
  await getDb().billingAccount.updateMany({
    where: { orgId, stripeCustomerId: null },
    data: { stripeCustomerId: customer.id, reportFrom: hour },
  });
  return (await getDb().billingAccount.findUniqueOrThrow({ where: { orgId } })).stripeCustomerId!;
}

function portalReturn(path: string) {
  return new URL(path, coreEnv().NUAGE_URL).toString();
}

/** A Checkout session in setup mode: the tenant enters a card on Stripe's page and comes back to /billing. */
export async function createCheckoutSession(orgId: string): Promise<{ url: string }> {
  const customer = await ensureCustomer(orgId);
  const session = await call((s) =>
    s.checkout.sessions.create({
      mode: "setup",
      customer,
      currency: "eur",
      success_url: portalReturn("/billing?checkout=success"),
      cancel_url: portalReturn("/billing?checkout=cancelled"),
    }),
  );
  if (!session.url) throw new Error("Stripe returned a checkout session without a URL");
  return { url: session.url };
}

export async function createPortalSession(orgId: string): Promise<{ url: string }> {
  const customer = await ensureCustomer(orgId);
  const session = await call((s) =>
    s.billingPortal.sessions.create({ customer, return_url: portalReturn("/billing") }),
  );
  return { url: session.url };
}

function pmLabel(pm: Stripe.PaymentMethod | null | undefined): string | null {
  if (!pm) return null;
  if (pm.card) return `${pm.card.brand} •••• ${pm.card.last4}`;
  return pm.type;
}

/** Reads the customer's payment method from Stripe (current state); starts the subscription once there is one. */
export async function syncCustomer(orgId: string): Promise<{ paymentMethod: string | null }> {
  const acc = await account(orgId);
  if (!acc.stripeCustomerId) return { paymentMethod: null };
  const customerId = acc.stripeCustomerId;
  const customer = await call((s) =>
    s.customers.retrieve(customerId, { expand: ["invoice_settings.default_payment_method"] }),
  );
  if ((customer as Stripe.DeletedCustomer).deleted) {
    await getDb().billingAccount.update({ where: { orgId }, data: { paymentMethod: null } });
    return { paymentMethod: null };
  }
  let pm = (customer as Stripe.Customer).invoice_settings?.default_payment_method as Stripe.PaymentMethod | null;
  if (!pm || typeof pm === "string") {
    const list = await call((s) => s.paymentMethods.list({ customer: customerId, limit: 1 }));
    pm = list.data[0] ?? null;
  }
  const label = pmLabel(pm);
  await getDb().billingAccount.update({ where: { orgId }, data: { paymentMethod: label } });
  if (label && !acc.stripeSubscriptionId) await ensureSubscription(orgId);
  return { paymentMethod: label };
}

/** Stripe meters (one per billed ledger meter) and metered prices per plan for the current price book version. */
export async function ensureCatalog(plan: PlanKey): Promise<{ meter: BilledMeter; priceId: string }[]> {
  const book = await currentPriceBook();
  const db = getDb();
  const have = await db.stripeCatalog.findMany({ where: { priceVersion: book.version, plan } });
  const out: { meter: BilledMeter; priceId: string }[] = [];
  for (const meter of BILLED_METER_LIST) {
    const row = have.find((r) => r.meter === meter);
    if (row) {
      out.push({ meter, priceId: row.stripePriceId });
      continue;
    }
    const anyMeter = await db.stripeCatalog.findFirst({ where: { meter }, select: { stripeMeterId: true } });
    const meterId =
      anyMeter?.stripeMeterId ??
      (
        await call((s) =>
          s.billing.meters.create(
            {
              display_name: `Nuage ${meter}`,
              event_name: `nuage_${meter}`,
              default_aggregation: { formula: "sum" },
              customer_mapping: { type: "by_id", event_payload_key: "stripe_customer_id" },
              value_settings: { event_payload_key: "value" },
            },
            { idempotencyKey: `nuage-meter-${meter}` },
          ),
        )
      ).id;
    // Cents per base unit, to 12 decimals (Stripe's limit); the internal invoice stays the authority on amounts.
    const size =
      meter === "storage_mib_seconds" ? 1024n * monthSeconds(new Date(Date.UTC(2026, 0, 1))) : unitSize(meter, now());
    const perUnit = Number(book.plans[plan].prices[BILLED_METERS[meter]]) / 1_000_000 / Number(size);
    const price = await call((s) =>
      s.prices.create(
        {
          currency: book.currency.toLowerCase(),
          product_data: { name: `Nuage ${plan} ${meter} (price book v${book.version})` },
          recurring: { interval: "month", usage_type: "metered", meter: meterId },
          unit_amount_decimal: Stripe.Decimal.from(perUnit.toFixed(12)),
          metadata: { nuagePlan: plan, nuageMeter: meter, nuagePriceVersion: String(book.version) },
        },
        { idempotencyKey: `nuage-price-${book.version}-${plan}-${meter}` },
      ),
    );
    try {
      await db.stripeCatalog.create({
        data: { priceVersion: book.version, plan, meter, stripeMeterId: meterId, stripePriceId: price.id },
      });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
    }
    out.push({ meter, priceId: price.id });
  }
  return out;
}

/** One subscription per org with the plan's metered prices. */
export async function ensureSubscription(orgId: string): Promise<string> {
  const acc = await account(orgId);
  if (acc.stripeSubscriptionId) return acc.stripeSubscriptionId;
  const customer = await ensureCustomer(orgId);
  const org = await getDb().org.findUniqueOrThrow({ where: { id: orgId }, select: { plan: true } });
  const plan = (org.plan as PlanKey) ?? "free";
  const items = await ensureCatalog(plan);
  const sub = await call((s) =>
    s.subscriptions.create(
      { customer, items: items.map((i) => ({ price: i.priceId })), metadata: { nuageOrgId: orgId } },
      { idempotencyKey: `nuage-subscription-${orgId}` },
    ),
  );
  // The plan is recorded only if Stripe's answer carries its prices (a replayed create may be an older plan's):
  // otherwise the plan sweep reads the subscription and swaps its items.
  const same = samePrices(
    itemPrices(sub),
    items.map((i) => i.priceId),
  );
  await getDb().billingAccount.update({
    where: { orgId },
    data: { stripeSubscriptionId: sub.id, subscriptionStatus: sub.status, subscriptionPlan: same ? plan : null },
  });
  return sub.id;
}

function itemPrices(sub: Stripe.Subscription): { id: string; price: string }[] {
  return sub.items.data.map((i) => ({ id: i.id, price: typeof i.price === "string" ? i.price : i.price.id }));
}

/** Exactly the wanted prices, each once. */
function samePrices(have: { price: string }[], want: string[]): boolean {
  const a = have.map((h) => h.price).sort();
  const b = [...want].sort();
  return a.length === b.length && a.every((p, i) => p === b[i]);
}

/**
 * Makes the org's Stripe subscription carry its current plan's prices (after a plan change): reads the
 * subscription as it is now, removes the items of other prices (and duplicates) and adds the missing ones in one
 * update, so a retry after a crash, or a second call, converges instead of duplicating items. Then records the
 * plan in `BillingAccount.subscriptionPlan` (what the plan sweep compares with `Org.plan`). "none" without a
 * subscription, "unchanged" when it already had the prices (no update call). Stripe errors are thrown.
 */
export async function syncSubscriptionItems(orgId: string): Promise<"none" | "unchanged" | "updated"> {
  if (!stripeEnabled()) return "none";
  if (!(await account(orgId)).stripeSubscriptionId) return "none";
  // One swap per org at a time (a plan change's and the sweep's): each reads the plan and the subscription under
  // the lock, so a slower swap to an older plan cannot land after a newer one. Stripe is called inside the
  // transaction; if it outlives the timeout, the record rolls back and the next sweep reads what Stripe has.
  return getDb().$transaction(
    async (tx) => {
      await tx.$executeRaw`SET LOCAL lock_timeout = '60s'`;
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(7, hashtext(${orgId}))`;
      const acc = await tx.billingAccount.findUnique({ where: { orgId }, select: { stripeSubscriptionId: true } });
      if (!acc?.stripeSubscriptionId) return "none";
      const subId = acc.stripeSubscriptionId;
      const org = await tx.org.findUniqueOrThrow({ where: { id: orgId }, select: { plan: true } });
      const plan = (org.plan as PlanKey) ?? "free";
      const want = await ensureCatalog(plan);
      const sub = await call((s) => s.subscriptions.retrieve(subId));
      const have = itemPrices(sub);
      const wanted = new Set(want.map((w) => w.priceId));
      const kept = new Set<string>();
      const items: ({ id: string; deleted: true } | { price: string })[] = [];
      for (const h of have) {
        if (wanted.has(h.price) && !kept.has(h.price)) kept.add(h.price);
        else items.push({ id: h.id, deleted: true });
      }
      for (const w of want) if (!kept.has(w.priceId)) items.push({ price: w.priceId });
      let status = sub.status;
      if (items.length) {
        // The key dedups the SDK's own retries (and an identical swap); the hour in it lets a later sweep try
        // again, since Stripe replays a stored 500 for the same key for a day.
        const hour = Math.floor(now().getTime() / 3600_000);
        const digest = createHash("sha256")
          .update(have.map((h) => h.id).join("."))
          .digest("hex")
          .slice(0, 16);
        const updated = await call((s) =>
          s.subscriptions.update(
            subId,
            { items, proration_behavior: "none", metadata: { nuageOrgId: orgId, nuagePlan: plan } },
            { idempotencyKey: `nuage-plan-${orgId}-${plan}-${digest}-${hour}` },
          ),
        );
        status = updated.status;
      }
      await tx.billingAccount.updateMany({
        where: { orgId, stripeSubscriptionId: subId },
        data: { subscriptionStatus: status, subscriptionPlan: plan },
      });
      return items.length ? ("updated" as const) : ("unchanged" as const);
    },
    { maxWait: 10_000, timeout: 300_000 },
  );
}

/** `syncSubscriptionItems`: false without a subscription. */
export async function syncSubscriptionPlan(orgId: string): Promise<boolean> {
  return (await syncSubscriptionItems(orgId)) !== "none";
}

/** Meter event identifier: org + meter + hour (+ a delta number when late samples raised the hour afterwards). */
export function usageIdentifier(orgId: string, meter: string, hourStart: Date, seq: number): string {
  const h = hourStart.toISOString().slice(0, 13);
  return seq === 0 ? `${orgId}:${meter}:${h}` : `${orgId}:${meter}:${h}:${seq}`;
}

/**
 * Hourly: for every org with a Stripe customer, compares each closed hour's rollup per billed meter with what was
 * already reported, records the difference as a new report row (set-based), then sends the unsent rows as meter
 * events. The identifier makes a resend after a crash a no-op at Stripe.
 */
export async function reportUsage(
  input: { until?: Date; limit?: number } = {},
): Promise<{ queued: number; sent: number }> {
  if (!stripeEnabled()) return { queued: 0, sent: 0 };
  const until = input.until ?? new Date(Math.floor(now().getTime() / 3600_000) * 3600_000);
  const db = getDb();
  const orgIds = billingTestOrgs();
  const onlyOrgs = orgIds ? Prisma.sql`AND u."orgId" = ANY(${orgIds}::text[])` : Prisma.empty;
  const deltas = await db.$queryRaw<{ orgId: string; meter: string; hourStart: Date; delta: bigint; n: number }[]>`
    WITH r AS (
      SELECT u."orgId", u."meter", u."periodStart" AS "hourStart", SUM(u."quantity") AS q
      FROM "UsageRollup" u JOIN "BillingAccount" b ON b."orgId" = u."orgId" AND b."stripeCustomerId" IS NOT NULL
      WHERE u."period" = 'hour' AND u."periodStart" >= b."reportFrom" AND u."periodStart" < ${until}
        AND u."meter" = ANY(${BILLED_METER_LIST}::text[]) ${onlyOrgs}
      GROUP BY u."orgId", u."meter", u."periodStart"),
    s AS (
      SELECT "orgId", "meter", "hourStart", SUM("value") AS v, COUNT(*)::int AS n FROM "StripeUsageReport"
      WHERE ("orgId", "meter", "hourStart") IN (SELECT "orgId", "meter", "hourStart" FROM r)
      GROUP BY "orgId", "meter", "hourStart")
    SELECT r."orgId", r."meter", r."hourStart", (r.q - COALESCE(s.v, 0))::bigint AS delta, COALESCE(s.n, 0) AS n
    FROM r LEFT JOIN s USING ("orgId", "meter", "hourStart")
    WHERE r.q - COALESCE(s.v, 0) > 0`;
  if (deltas.length) {
    await db.stripeUsageReport.createMany({
      data: deltas.map((d) => ({
        identifier: usageIdentifier(d.orgId, d.meter, new Date(d.hourStart), Number(d.n)),
        orgId: d.orgId,
        meter: d.meter,
        hourStart: new Date(d.hourStart),
        value: BigInt(d.delta),
      })),
      skipDuplicates: true,
    });
  }
  const pending = await db.stripeUsageReport.findMany({
    where: { reportedAt: null, ...(orgIds ? { orgId: { in: orgIds } } : {}) },
    orderBy: { hourStart: "asc" },
    take: input.limit ?? 5000,
  });
  const customers = new Map(
    (
      await db.billingAccount.findMany({
        where: { orgId: { in: [...new Set(pending.map((p) => p.orgId))] } },
        select: { orgId: true, stripeCustomerId: true },
      })
    ).map((a) => [a.orgId, a.stripeCustomerId]),
  );
  let sent = 0;
  const sendOne = async (p: (typeof pending)[number]) => {
    const customer = customers.get(p.orgId);
    if (!customer) return;
    try {
      await call((s) =>
        s.billing.meterEvents.create({
          event_name: `nuage_${p.meter}`,
          identifier: p.identifier,
          timestamp: Math.floor(p.hourStart.getTime() / 1000),
          payload: { stripe_customer_id: customer, value: p.value.toString() },
        }),
      );
    } catch (e) {
      // Stripe refuses an identifier it has already seen: that event was delivered before a crash.
      const err = e as { statusCode?: number; code?: string; message?: string };
      const text = `${err.code ?? ""} ${err.message ?? ""}`;
      if (!(err.statusCode === 400 && /duplicate|already exists/i.test(text))) throw e;
    }
    done.push(p.identifier);
    sent++;
    if (done.length >= 200) await flush();
  };
  // Marked sent in batches: a crash before a flush only means those events are sent again, and dropped by Stripe.
  const done: string[] = [];
  const flush = async () => {
    const ids = done.splice(0);
    if (ids.length)
      await db.stripeUsageReport.updateMany({ where: { identifier: { in: ids } }, data: { reportedAt: now() } });
  };
  // A few requests in flight at once: well under Stripe's meter-event rate limit, 429s are retried by call().
  const queue = pending.slice();
  await Promise.all(
    Array.from({ length: Math.min(8, queue.length) }, async () => {
      for (let p = queue.shift(); p; p = queue.shift()) await sendOne(p);
    }),
  );
  await flush();
  return { queued: deltas.length, sent };
}
