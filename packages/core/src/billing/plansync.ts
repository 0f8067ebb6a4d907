// Plan changes reach Stripe even when Stripe is down at the time. A plan change commits the org's plan first, then
// swaps the subscription's items (`syncSubscriptionItems`); if that call fails the change stands and the answer says
// the Stripe update is pending. `BillingAccount.subscriptionPlan` records the plan the subscription was last seen
// to carry, so "needs a sync" is `subscriptionPlan IS DISTINCT FROM Org.plan`: no flag to set in the plan change's
// transaction or to clear under a race, and a crash between the commit and the Stripe call is found the same way.
// `reconcileSubscriptionPlans` (a step of the hourly billing.report job) pages through those orgs only.
import { getDb, Prisma } from "@nuage/db";
import type { Actor } from "../actor.ts";
import { type PlanKey, setOrgPlan } from "./pricebook.ts";
import { billingTestOrgs, stripeEnabled, syncSubscriptionItems } from "./stripe.ts";

/** "synced": the subscription has the plan's prices; "pending": Stripe failed, the sweep retries; "none": no subscription. */
export type PlanSync = "synced" | "pending" | "none";

/** A Stripe error's type, code and HTTP status for logs (e.g. "StripeAPIError 500"): never its message or request. */
export function stripeErrorCode(e: unknown): string {
  const x = (e ?? {}) as { code?: unknown; type?: unknown; statusCode?: unknown; name?: unknown };
  const parts = [x.type ?? x.name, x.code, x.statusCode].filter((p) => typeof p === "string" || typeof p === "number");
  return parts.length ? parts.join(" ") : "unknown";
}

/** After a committed plan change: swaps the subscription's items now, or leaves it to the sweep if Stripe fails. */
export async function syncPlanOrDefer(orgId: string): Promise<PlanSync> {
  try {
    return (await syncSubscriptionItems(orgId)) === "none" ? "none" : "synced";
  } catch (e) {
    console.warn(`[billing] plan sync org=${orgId} pending (retried by the sweep): ${stripeErrorCode(e)}`);
    return "pending";
  }
}

/** Platform admins (billing.admin.setPlan, admin.tenants.setPlan): the plan, its limits, then Stripe's prices. */
export async function moveOrgPlan(
  actor: Actor,
  input: { orgId: string; plan: PlanKey },
): Promise<{ orgId: string; plan: PlanKey; stripeSync: PlanSync }> {
  const r = await setOrgPlan(actor, input);
  return { ...r, stripeSync: await syncPlanOrDefer(input.orgId) };
}

export interface PlanSweepResult {
  checked: number;
  updated: number;
  failed: number;
}

/**
 * Every org whose subscription is not known to carry its plan's prices (a plan change whose Stripe update failed,
 * or a subscription never checked since the column exists): reads the subscription and swaps its items if they
 * differ. Pages by org id; one org's failure is logged (org id and error code) and the others go on; a killed run
 * leaves the same orgs to the next one. Nothing drifted: one query, no Stripe call.
 */
export async function reconcileSubscriptionPlans(
  input: { pageSize?: number; orgIds?: string[] } = {},
): Promise<PlanSweepResult> {
  const out: PlanSweepResult = { checked: 0, updated: 0, failed: 0 };
  if (!stripeEnabled()) return out;
  const orgIds = input.orgIds ?? billingTestOrgs();
  const only = orgIds ? Prisma.sql`AND b."orgId" = ANY(${orgIds}::text[])` : Prisma.empty;
  const size = Math.max(1, input.pageSize ?? 100);
  let after = "";
  for (;;) {
    const page = await getDb().$queryRaw<{ orgId: string }[]>`
      SELECT b."orgId" FROM "BillingAccount" b JOIN "Org" o ON o."id" = b."orgId"
      WHERE b."stripeSubscriptionId" IS NOT NULL AND b."subscriptionPlan" IS DISTINCT FROM o."plan"
        AND COALESCE(b."subscriptionStatus", '') NOT IN ('canceled', 'incomplete_expired')
        AND b."orgId" > ${after} ${only}
      ORDER BY b."orgId" LIMIT ${size}`;
    for (const { orgId } of page) {
      out.checked++;
      try {
        if ((await syncSubscriptionItems(orgId)) === "updated") out.updated++;
      } catch (e) {
        out.failed++;
        console.warn(`[billing] plan sync org=${orgId} failed: ${stripeErrorCode(e)}`);
      }
    }
    if (page.length < size) break;
    after = page[page.length - 1]!.orgId;
  }
  return out;
}
