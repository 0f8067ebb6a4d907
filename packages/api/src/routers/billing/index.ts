// Billing: month-to-date, forecast, invoices, payment method (Stripe Checkout / portal) for owners, admins and the
// billing role (members and viewers may not see money); price book, plans, credits and dunning overrides for
// platform admins. Amounts are integers in minor units (cents).
import {
  AppError,
  BILLING_PLANS,
  billingStatus,
  billingSummary,
  changeOrgPlan,
  createCheckoutSession,
  createPortalSession,
  currentPriceBook,
  getInvoice,
  grantCredit,
  listInvoices,
  listPriceBooks,
  moveOrgPlan,
  orgPricing,
  overrideDunning,
  refreshInvoices,
  stripeEnabled,
  syncCustomer,
  updatePriceBook,
  ZPlans,
} from "@nuage/core";
import type { Role } from "@nuage/db/types";
import { z } from "zod";
import { zDate } from "../../schemas.ts";
import { orgProcedure, orgRoleProcedure, platformAdminProcedure, router } from "../../trpc.ts";

const tags = ["billing"];
const BILLING_ROLES: Role[] = ["owner", "admin", "billing"];

/** Owners, admins and the billing role; members and viewers get FORBIDDEN naming their role. */
function billingProcedure(what: string) {
  return orgProcedure.use(({ ctx, next }) => {
    if (!BILLING_ROLES.includes(ctx.org.role))
      throw new AppError("FORBIDDEN", `Your role (${ctx.org.role}) cannot ${what}`);
    return next();
  });
}

const n = (v: bigint) => Number(v);
const zMinor = z.number().int();

const ZStatus = z.object({
  stripe: z.boolean(),
  paymentMethod: z.string().nullable(),
  subscriptionStatus: z.string().nullable(),
  planSyncPending: z.boolean().describe("A plan change not yet applied to the Stripe subscription (retried hourly)"),
  dunningStage: z.string(),
  paymentFailedAt: zDate.nullable(),
  dunningExempt: z.boolean(),
  suspendedAt: zDate.nullable(),
  suspendedReason: z.string().nullable(),
  suspendedBy: z.string().nullable(),
});

const ZInvoice = z.object({
  id: z.string(),
  periodStart: zDate,
  periodEnd: zDate,
  status: z.string(),
  plan: z.string(),
  priceVersion: z.number().int(),
  currency: z.string(),
  subtotalMinor: zMinor,
  includedMinor: zMinor,
  creditMinor: zMinor,
  totalMinor: zMinor,
  paymentStatus: z.string(),
  hostedUrl: z.string().nullable(),
  finalizedAt: zDate.nullable(),
});

type InvoiceLike = Awaited<ReturnType<typeof listInvoices>>[number];
const invoiceOut = (i: InvoiceLike) => ({
  id: i.id,
  periodStart: i.periodStart,
  periodEnd: i.periodEnd,
  status: i.status,
  plan: i.plan,
  priceVersion: i.priceVersion,
  currency: i.currency,
  subtotalMinor: n(i.subtotalMinor),
  includedMinor: n(i.includedMinor),
  creditMinor: n(i.creditMinor),
  totalMinor: n(i.totalMinor),
  paymentStatus: i.paymentStatus,
  hostedUrl: i.hostedUrl,
  finalizedAt: i.finalizedAt,
});

const ZIdInput = z.object({ id: z.string().min(1, "id is required").max(100) });
const ZOrgIdInput = z.object({ orgId: z.string().min(1, "orgId is required").max(100) });

const adminRouter = router({
  priceBook: platformAdminProcedure
    .input(z.void())
    .query(async () => ({ current: await currentPriceBook(), versions: await listPriceBooks() })),
  updatePriceBook: platformAdminProcedure
    .input(
      z.object({
        basedOn: z.number().int("basedOn must be a version number"),
        plans: ZPlans,
        note: z.string().trim().max(200, "note is too long (200 characters at most)").optional().nullable(),
      }),
    )
    .mutation(({ ctx, input }) => updatePriceBook({ type: "user", userId: ctx.user.id, ip: ctx.ip }, input)),
  setPlan: platformAdminProcedure
    .input(ZOrgIdInput.extend({ plan: z.enum(BILLING_PLANS, { error: "plan must be free, pro or business" }) }))
    // The Stripe subscription's prices follow, as for changePlan ("pending" if Stripe failed: the sweep retries).
    .mutation(({ ctx, input }) => moveOrgPlan({ type: "user", userId: ctx.user.id, ip: ctx.ip }, input)),
  grantCredit: platformAdminProcedure
    .input(
      ZOrgIdInput.extend({
        amountMinor: z
          .number({ error: "amountMinor must be a number of cents" })
          .int("amountMinor must be a whole number of cents")
          .min(-10_000_000, "amountMinor is too small")
          .max(10_000_000, "amountMinor is too large"),
        reason: z.string().trim().min(1, "reason is required").max(200, "reason is too long"),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const r = await grantCredit({ ...input, amountMinor: BigInt(input.amountMinor), createdById: ctx.user.id });
      return { orgId: r.orgId, balanceMinor: n(r.balanceMinor) };
    }),
  dunning: platformAdminProcedure
    .input(
      ZOrgIdInput.extend({
        action: z.enum(["exempt", "unexempt", "suspend", "resume"], {
          error: "action must be exempt, unexempt, suspend or resume",
        }),
      }),
    )
    .mutation(({ ctx, input }) => overrideDunning({ type: "user", userId: ctx.user.id, ip: ctx.ip }, input)),
  status: platformAdminProcedure.input(ZOrgIdInput).query(({ input }) => billingStatus(input.orgId)),
  /** Recomputes (or finalizes) one month for every org; finalized invoices are never changed. */
  closeMonth: platformAdminProcedure
    .input(
      z.object({
        periodStart: z.coerce.date({ error: "periodStart must be a date" }),
        finalize: z.boolean().default(false),
      }),
    )
    .mutation(async ({ input }) => {
      const r = await refreshInvoices({ periodStart: input.periodStart, finalize: input.finalize });
      return { periodStart: r.periodStart, invoices: r.invoices, finalized: r.finalized };
    }),
});

const ZPlanOffer = z.object({
  key: z.enum(BILLING_PLANS),
  label: z.string(),
  limits: z.object({ maxClusters: z.number().int(), maxNodesPerCluster: z.number().int(), maxVcpu: z.number().int() }),
  included: z.record(z.string(), z.number()),
  prices: z.record(z.string(), z.number()),
});

export const billingRouter = router({
  plans: billingProcedure("see billing")
    .meta({
      openapi: {
        method: "GET",
        path: "/billing/plans",
        protect: true,
        tags,
        summary: "The plans of the current price book (unit prices in micro-cents) and the org's current plan",
      },
    })
    .input(z.void())
    .output(
      z.object({
        current: z.enum(BILLING_PLANS),
        priceVersion: z.number().int(),
        currency: z.string(),
        plans: z.array(ZPlanOffer),
      }),
    )
    .query(async ({ ctx }) => {
      const [book, mine] = await Promise.all([currentPriceBook(), orgPricing(ctx.org.id)]);
      return {
        current: mine.plan as (typeof BILLING_PLANS)[number],
        priceVersion: book.version,
        currency: book.currency,
        plans: BILLING_PLANS.map((key) => ({ key, ...book.plans[key] })),
      };
    }),
  changePlan: orgRoleProcedure("admin", "change the plan")
    .meta({
      openapi: {
        method: "PUT",
        path: "/billing/plan",
        protect: true,
        tags,
        summary: "Switch the org's plan (owners and admins); limits and the Stripe subscription follow",
      },
    })
    .input(z.object({ plan: z.enum(BILLING_PLANS, { error: `plan must be one of ${BILLING_PLANS.join(", ")}` }) }))
    .output(
      z.object({
        plan: z.enum(BILLING_PLANS),
        stripeUpdated: z.boolean().describe("The Stripe subscription now bills the plan's prices"),
        stripeSyncPending: z
          .boolean()
          .describe("The plan changed but Stripe could not be updated now; the subscription follows within the hour"),
      }),
    )
    .mutation(({ ctx, input }) => changeOrgPlan(ctx.scope, input)),
  summary: billingProcedure("see billing")
    .meta({
      openapi: {
        method: "GET",
        path: "/billing",
        protect: true,
        tags,
        summary: "Month-to-date, forecast and payment status",
      },
    })
    .input(z.void())
    .output(
      z.object({
        periodStart: zDate,
        periodEnd: zDate,
        plan: z.string(),
        priceVersion: z.number().int(),
        currency: z.string(),
        monthToDate: z.object({
          invoiceId: z.string(),
          subtotalMinor: zMinor,
          includedMinor: zMinor,
          creditMinor: zMinor,
          totalMinor: zMinor,
        }),
        forecastMinor: zMinor,
        creditBalanceMinor: zMinor,
        daily: z.array(z.object({ day: zDate, amountMinor: zMinor })),
        status: ZStatus,
      }),
    )
    .query(async ({ ctx }) => {
      const s = await billingSummary(ctx.org.id);
      return {
        periodStart: s.periodStart,
        periodEnd: s.periodEnd,
        plan: s.plan,
        priceVersion: s.priceVersion,
        currency: s.currency,
        monthToDate: {
          invoiceId: s.monthToDate.invoiceId,
          subtotalMinor: n(s.monthToDate.subtotalMinor),
          includedMinor: n(s.monthToDate.includedMinor),
          creditMinor: n(s.monthToDate.creditMinor),
          totalMinor: n(s.monthToDate.totalMinor),
        },
        forecastMinor: n(s.forecastMinor),
        creditBalanceMinor: n(s.creditBalanceMinor),
        daily: s.daily.map((d) => ({ day: d.day, amountMinor: n(d.amountMinor) })),
        status: await billingStatus(ctx.org.id),
      };
    }),
  invoices: billingProcedure("see invoices")
    .meta({
      openapi: {
        method: "GET",
        path: "/invoices",
        protect: true,
        tags,
        summary: "Invoices of the organization, newest first",
      },
    })
    .input(z.void())
    .output(z.array(ZInvoice))
    .query(async ({ ctx }) => (await listInvoices(ctx.org.id)).map(invoiceOut)),
  invoice: billingProcedure("see invoices")
    .meta({
      openapi: { method: "GET", path: "/invoices/{id}", protect: true, tags, summary: "One invoice with its lines" },
    })
    .input(ZIdInput)
    .output(
      ZInvoice.extend({
        orgName: z.string(),
        lines: z.array(
          z.object({
            clusterId: z.string(),
            clusterName: z.string(),
            meter: z.string(),
            kind: z.string(),
            quantity: z.string().describe("Base units of the meter (integer as a string)"),
            unitPriceMicro: z.string().describe("Micro-cents per priced unit"),
            amountMinor: zMinor,
          }),
        ),
      }),
    )
    .query(async ({ ctx, input }) => {
      const i = await getInvoice(ctx.org.id, input.id);
      return {
        ...invoiceOut(i),
        orgName: i.orgName,
        lines: i.lines.map((l) => ({ ...l, amountMinor: n(l.amountMinor) })),
      };
    }),
  checkout: billingProcedure("manage payment methods")
    .input(z.void())
    .mutation(({ ctx }) => {
      if (!stripeEnabled())
        throw new AppError("CONFLICT", "Payments are not collected on this platform (Stripe is not configured)");
      return createCheckoutSession(ctx.org.id);
    }),
  portal: billingProcedure("manage payment methods")
    .input(z.void())
    .mutation(({ ctx }) => {
      if (!stripeEnabled())
        throw new AppError("CONFLICT", "Payments are not collected on this platform (Stripe is not configured)");
      return createPortalSession(ctx.org.id);
    }),
  /** After Checkout: reads the payment method from Stripe now (the webhook may not have arrived yet). */
  syncPaymentMethod: billingProcedure("manage payment methods")
    .input(z.void())
    .mutation(async ({ ctx }) => {
      if (stripeEnabled()) await syncCustomer(ctx.org.id);
      return billingStatus(ctx.org.id);
    }),
  admin: adminRouter,
});
