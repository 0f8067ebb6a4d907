// Billing procedures: who may read money (owner, admin, billing; not members or viewers), invoices and their
// lines, "not collected" without Stripe, and the platform-admin price book (versioned, limits follow the plan).
import { ensureSubscription } from "@nuage/core";
import { getDb } from "@nuage/db";
import { afterAll, describe, expect, it } from "vitest";
import { StripeFake } from "../../core/src/billing/testing/stripe-fake.ts";
import { cleanup, errorOf, rest, signUpUser, tokenCaller, userCaller } from "./test/helpers.ts";

afterAll(cleanup);

async function memberOf(orgId: string, role: "member" | "viewer" | "billing") {
  const u = await signUpUser(`h6b-${role}`, { verified: true });
  await getDb().membership.create({ data: { orgId, userId: u.userId, role } });
  return userCaller(u.userId, { org: orgId });
}

describe("billing procedures", () => {
  it("owners and the billing role read billing; members and viewers cannot", async () => {
    const owner = await signUpUser("h6b-owner", { verified: true });
    const oc = await userCaller(owner.userId);
    const s = await oc.billing.summary();
    expect(s.plan).toBe("free");
    expect(s.status.stripe).toBe(false);
    expect(s.monthToDate.totalMinor).toBe(0);
    const billing = await memberOf(owner.orgId, "billing");
    expect((await billing.billing.invoices()).map((i) => i.id)).toContain(s.monthToDate.invoiceId);
    const inv = await billing.billing.invoice({ id: s.monthToDate.invoiceId });
    expect(inv.status).toBe("draft");
    expect(inv.paymentStatus).toBe("not_collected");
    for (const role of ["member", "viewer"] as const) {
      const c = await memberOf(owner.orgId, role);
      const err = await errorOf(() => c.billing.summary());
      expect(err.code).toBe("FORBIDDEN");
      expect(err.message).toBe(`Your role (${role}) cannot see billing`);
    }
    // Without Stripe, the Checkout button is refused with a clear message.
    const err = await errorOf(() => oc.billing.checkout());
    expect(err.message).toMatch(/not collected/);
    // REST with a token
    const tok = await oc.tokens.create({ name: "h6b", scope: "read" });
    const res = await rest("/invoices", { token: tok.token });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }[]).map((i) => i.id)).toContain(s.monthToDate.invoiceId);
    expect((await tokenCaller(tok.token)).billing.summary).toBeDefined();
  });

  it("platform admins version the price book; the org limits follow its plan", async () => {
    const admin = await signUpUser("h6b-admin", { verified: true });
    await getDb().user.update({ where: { id: admin.userId }, data: { isPlatformAdmin: true } });
    const ac = await userCaller(admin.userId);
    const { current } = await ac.billing.admin.priceBook();
    // Same prices (other tests price invoices concurrently): an edit still makes a new version.
    const plans = structuredClone(current.plans);
    const bad = await errorOf(() =>
      ac.billing.admin.updatePriceBook({
        basedOn: current.version,
        plans: { ...plans, pro: { ...plans.pro, prices: { ...plans.pro.prices, lb_hour: -1 } } },
      }),
    );
    expect(bad.message).toMatch(/lb_hour/);
    const next = await ac.billing.admin.updatePriceBook({ basedOn: current.version, plans, note: "h6b test" });
    expect(next.version).toBe(current.version + 1);
    const stale = await errorOf(() => ac.billing.admin.updatePriceBook({ basedOn: current.version, plans }));
    expect(stale.code).toBe("CONFLICT");
    const t = await signUpUser("h6b-tenant", { verified: true });
    await ac.billing.admin.setPlan({ orgId: t.orgId, plan: "pro" });
    const org = await getDb().org.findUniqueOrThrow({ where: { id: t.orgId } });
    expect([org.plan, org.maxClusters]).toEqual(["pro", plans.pro.limits.maxClusters]);
    const credit = await ac.billing.admin.grantCredit({ orgId: t.orgId, amountMinor: 1234, reason: "h6b" });
    expect(credit.balanceMinor).toBe(1234);
    const s = await (await userCaller(t.userId)).billing.summary();
    expect([s.creditBalanceMinor, s.priceVersion]).toEqual([1234, next.version]);
    await getDb().creditEntry.deleteMany({ where: { orgId: t.orgId } });
  });

  it("org admins switch the plan; limits and the Stripe subscription's prices follow", async () => {
    const fake = await new StripeFake().start();
    const saved = { key: process.env.STRIPE_SECRET_KEY, base: process.env.STRIPE_API_BASE };
    Object.assign(process.env, fake.env());
    try {
      const owner = await signUpUser("h6b-plan", { verified: true });
      const oc = await userCaller(owner.userId);
      const offer = await oc.billing.plans();
      expect(offer.current).toBe("free");
      expect(offer.plans.map((p) => p.key)).toEqual(["free", "pro", "business"]);
      // A subscription on Free's prices (as after Checkout).
      await ensureSubscription(owner.orgId);
      const catalogOf = async (plan: string) =>
        (await getDb().stripeCatalog.findMany({ where: { plan, priceVersion: offer.priceVersion } }))
          .map((r) => r.stripePriceId)
          .sort();
      const subPrices = async () => {
        const acc = await getDb().billingAccount.findUniqueOrThrow({ where: { orgId: owner.orgId } });
        const sub = fake.objects.get(acc.stripeSubscriptionId!) as unknown as {
          items: { data: { price: { id: string } }[] };
        };
        return sub.items.data.map((i) => i.price.id).sort();
      };
      expect(await subPrices()).toEqual(await catalogOf("free"));

      // Members cannot; a bad plan names the field.
      const member = await memberOf(owner.orgId, "member");
      expect((await errorOf(() => member.billing.changePlan({ plan: "pro" }))).code).toBe("FORBIDDEN");
      const bad = await errorOf(() => oc.billing.changePlan({ plan: "gold" as "pro" }));
      expect(bad.message).toMatch(/plan must be one of free, pro, business/);

      expect(await oc.billing.changePlan({ plan: "pro" })).toEqual({
        plan: "pro",
        stripeUpdated: true,
        stripeSyncPending: false,
      });
      const org = await getDb().org.findUniqueOrThrow({ where: { id: owner.orgId } });
      expect([org.plan, org.maxClusters]).toEqual(["pro", offer.plans[1]!.limits.maxClusters]);
      expect(await subPrices()).toEqual(await catalogOf("pro"));
      expect((await oc.billing.summary()).plan).toBe("pro");
      // Again: nothing changes at Stripe (the subscription already has the plan's prices).
      const updates = fake.requests.filter(
        (r) => r.method === "POST" && r.path.startsWith("/v1/subscriptions/"),
      ).length;
      await oc.billing.changePlan({ plan: "pro" });
      expect(fake.requests.filter((r) => r.method === "POST" && r.path.startsWith("/v1/subscriptions/")).length).toBe(
        updates,
      );
      expect(await subPrices()).toEqual(await catalogOf("pro"));

      // Back to Free is refused while the org uses more than Free allows.
      for (let i = 0; i < 4; i++)
        await getDb().cluster.create({
          data: { orgId: owner.orgId, name: `p${i}`, region: "local-1", version: "1.32", status: "running" },
        });
      const over = await errorOf(() => oc.billing.changePlan({ plan: "free" }));
      expect(over.message).toMatch(/Free plan allows 3 clusters and this organization has 4/);
      expect(over.code).toBe("BAD_REQUEST");
      // Through REST with an admin-scope token, once the org fits.
      await getDb().cluster.deleteMany({ where: { orgId: owner.orgId } });
      const tok = await oc.tokens.create({ name: "h6b-plan", scope: "write" });
      const res = await rest("/billing/plan", { token: tok.token, method: "PUT", body: { plan: "business" } });
      expect(res.status).toBe(200);
      expect(await subPrices()).toEqual(await catalogOf("business"));
    } finally {
      await fake.stop();
      if (saved.key === undefined) delete process.env.STRIPE_SECRET_KEY;
      else process.env.STRIPE_SECRET_KEY = saved.key;
      if (saved.base === undefined) delete process.env.STRIPE_API_BASE;
      else process.env.STRIPE_API_BASE = saved.base;
    }
  });
});
