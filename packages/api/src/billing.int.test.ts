// Billing procedures: who may read money (owner, admin, billing; not members or viewers), invoices and their
// lines, "not collected" without Stripe, and the platform-admin price book (versioned, limits follow the plan).
import { getDb } from "@nuage/db";
import { afterAll, describe, expect, it } from "vitest";
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
});
