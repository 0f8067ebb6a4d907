// A monthly budget per org (minor units) and its e-mail alerts at 50, 80 and 100 % of the month-to-date
// cost. Each (org, month, threshold) alert is a row inserted with ON CONFLICT DO NOTHING in the same
// transaction as its mails: a check that runs twice, or concurrently, sends each alert once.
import { getDb } from "@nuage/db";
import { actorUserId, type OrgScope } from "../actor.ts";
import { audit } from "../audit.ts";
import { monthToDateMinor } from "../billing/invoices.ts";
import type { Plan } from "../billing/pricebook.ts";
import { priceUsage, type UsageQuantity } from "../billing/pricing.ts";
import { now } from "../clock.ts";
import { coreEnv } from "../env.ts";
import { badInput } from "../errors.ts";
import { queueMail } from "../mail/outbox.ts";
import { requireRole } from "../roles.ts";
import { mutate } from "../tx.ts";
import { monthOf } from "./meters.ts";

export const BUDGET_THRESHOLDS = [50, 80, 100] as const;
/** Budgets are at most this many minor units (10 million in the major unit). */
export const MAX_BUDGET_MINOR = 1_000_000_000;

/**
 * Cost in minor units (cents) of a month's usage with a plan, as billing prices it (`priceUsage`: a line per
 * cluster and meter rounded half up once, included amounts and credits taken off).
 */
export function estimateCostMinor(
  plan: Pick<Plan, "prices" | "included">,
  usage: UsageQuantity[],
  periodStart: Date,
  creditBalance = 0n,
): number {
  return Number(priceUsage(plan, usage, periodStart, creditBalance).totalMinor);
}

export interface BudgetView {
  amountMinor: number | null;
  currency: string;
  monthStart: Date;
  monthToDateMinor: number;
  /** Whole percent of the budget used this month (null without a budget). */
  percentUsed: number | null;
  alertsSent: number[];
}

export async function getBudget(orgId: string): Promise<BudgetView> {
  const db = getDb();
  const t = now();
  const monthStart = monthOf(t);
  const [budget, mtd, alerts] = await Promise.all([
    db.orgBudget.findUnique({ where: { orgId } }),
    monthToDateMinor(orgId, t),
    db.budgetAlert.findMany({
      where: { orgId, monthStart },
      select: { threshold: true },
      orderBy: { threshold: "asc" },
    }),
  ]);
  // The billing page's month-to-date: the same usage, plan, price book, included amounts and credits.
  const cost = Number(mtd);
  const amount = budget ? Number(budget.amountMinor) : null;
  return {
    amountMinor: amount,
    currency: budget?.currency ?? "EUR",
    monthStart,
    monthToDateMinor: cost,
    percentUsed: amount ? Math.floor((cost * 100) / amount) : null,
    alertsSent: alerts.map((a) => a.threshold),
  };
}

/** Sets (or, with null, removes) the org's monthly budget. Owners and admins only. */
export async function setBudget(scope: OrgScope, input: { amountMinor: number | null }): Promise<BudgetView> {
  requireRole(scope.role, "admin", "set the budget");
  const amount = input.amountMinor;
  if (amount !== null && (!Number.isInteger(amount) || amount < 1 || amount > MAX_BUDGET_MINOR))
    throw badInput("amountMinor", `The budget must be a whole number of cents between 1 and ${MAX_BUDGET_MINOR}`);
  await mutate(async (tx) => {
    if (amount === null) await tx.orgBudget.deleteMany({ where: { orgId: scope.orgId } });
    else
      await tx.orgBudget.upsert({
        where: { orgId: scope.orgId },
        create: { orgId: scope.orgId, amountMinor: BigInt(amount), updatedById: actorUserId(scope.actor) },
        update: { amountMinor: BigInt(amount), updatedById: actorUserId(scope.actor) },
      });
    await audit(tx, scope.actor, {
      orgId: scope.orgId,
      action: amount === null ? "budget.delete" : "budget.set",
      targetType: "org",
      targetId: scope.orgId,
      metadata: { amountMinor: amount },
    });
  });
  return getBudget(scope.orgId);
}

const money = (minor: number, currency: string) => `${(minor / 100).toFixed(2)} ${currency}`;

/** Sends the alerts due this month for every org with a budget; returns how many alerts were new. */
export async function checkBudgets(filter: { orgId?: string } = {}): Promise<number> {
  const db = getDb();
  const t = now();
  const monthStart = monthOf(t);
  const budgets = await db.orgBudget.findMany({ where: filter.orgId ? { orgId: filter.orgId } : {} });
  let sent = 0;
  for (const b of budgets) {
    const amount = Number(b.amountMinor);
    if (amount <= 0) continue;
    // An org deleted meanwhile is skipped (its prices cannot be read); the others are still checked.
    const org = await db.org.findUnique({ where: { id: b.orgId }, select: { name: true, deletedAt: true } });
    if (!org || org.deletedAt) continue;
    const cost = await monthToDateMinor(b.orgId, t).then(Number, (e) => {
      if ((e as { code?: string }).code === "NOT_FOUND") return null;
      throw e;
    });
    if (cost === null) continue;
    const due = BUDGET_THRESHOLDS.filter((th) => cost * 100 >= amount * th);
    if (due.length === 0) continue;
    for (const threshold of due) {
      sent += await mutate(async (tx, after) => {
        const inserted = await tx.$executeRaw`
          INSERT INTO "BudgetAlert" ("orgId","monthStart","threshold","costMinor")
          VALUES (${b.orgId}, ${monthStart}, ${threshold}, ${BigInt(cost)})
          ON CONFLICT DO NOTHING`;
        if (inserted === 0) return 0;
        const recipients = await tx.membership.findMany({
          where: { orgId: b.orgId, role: { in: ["owner", "admin", "billing"] } },
          select: { user: { select: { email: true, name: true } } },
        });
        const month = monthStart.toISOString().slice(0, 7);
        for (const r of recipients) {
          await queueMail(
            tx,
            after,
            {
              to: r.user.email,
              subject: `${org.name}: ${threshold}% of the ${month} budget used`,
              text: `Hello ${r.user.name},\n\nThe organization "${org.name}" has used ${money(cost, b.currency)} of its ${money(amount, b.currency)} budget for ${month} (${threshold}% alert).\n\nSee the usage: ${new URL("/usage", coreEnv().NUAGE_URL).toString()}\n`,
            },
            b.orgId,
          );
        }
        return 1;
      });
    }
  }
  return sent;
}
