// A monthly budget per org (minor units) and its e-mail alerts at 50, 80 and 100 % of the month-to-date
// cost. Each (org, month, threshold) alert is a row inserted with ON CONFLICT DO NOTHING in the same
// transaction as its mails: a check that runs twice, or concurrently, sends each alert once.
import { getDb } from "@nuage/db";
import { actorUserId, type OrgScope } from "../actor.ts";
import { audit } from "../audit.ts";
import { now } from "../clock.ts";
import { HA_CONTROL_PLANE_CENTS_HOURLY } from "../clusters/catalog.ts";
import { coreEnv } from "../env.ts";
import { badInput } from "../errors.ts";
import { queueMail } from "../mail/outbox.ts";
import { requireRole } from "../roles.ts";
import { mutate } from "../tx.ts";
import { monthOf, nextMonth } from "./meters.ts";
import { sumUsage } from "./query.ts";

export const BUDGET_THRESHOLDS = [50, 80, 100] as const;
/** Budgets are at most this many minor units (10 million in the major unit). */
export const MAX_BUDGET_MINOR = 1_000_000_000;

/** Per vCPU-hour: the catalog's base flavor (s-1vcpu-2gb, 2 cents an hour, memory included). */
const VCPU_CENTS_HOURLY = 2n;

const divRound = (a: bigint, b: bigint) => (a + b / 2n) / b;

/**
 * Estimated cost in minor units (cents) of cluster-level usage, from the catalog's hourly prices:
 * nodes at 2 cents per vCPU-hour (memory included), HA control planes at HA_CONTROL_PLANE_CENTS_HOURLY,
 * single control planes and load balancers free. Rounded half up once, on the total.
 * The price book (billing) replaces this function.
 */
export function estimateCostMinor(usage: Array<{ meter: string; quantity: bigint }>): number {
  let centSeconds = 0n;
  for (const u of usage) {
    if (u.meter === "node_vcpu_seconds") centSeconds += u.quantity * VCPU_CENTS_HOURLY;
    else if (u.meter === "controlplane_ha_seconds") centSeconds += u.quantity * BigInt(HA_CONTROL_PLANE_CENTS_HOURLY);
  }
  return Number(divRound(centSeconds, 3600n));
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
  const [budget, usage, alerts] = await Promise.all([
    db.orgBudget.findUnique({ where: { orgId } }),
    sumUsage({ orgId, from: monthStart, to: nextMonth(t) }),
    db.budgetAlert.findMany({
      where: { orgId, monthStart },
      select: { threshold: true },
      orderBy: { threshold: "asc" },
    }),
  ]);
  const cost = estimateCostMinor(usage);
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
    const cost = estimateCostMinor(await sumUsage({ orgId: b.orgId, from: monthStart, to: nextMonth(t) }));
    const due = BUDGET_THRESHOLDS.filter((th) => cost * 100 >= amount * th);
    if (due.length === 0) continue;
    const org = await db.org.findUnique({ where: { id: b.orgId }, select: { name: true, deletedAt: true } });
    if (!org || org.deletedAt) continue;
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
