// Dunning: a failed payment notifies the org's owners, admins and billing members; after the grace period
// (NUAGE_DUNNING_GRACE_DAYS, default 7) the org is suspended (no new clusters, no scale-ups); after a second period
// its clusters are hibernated (pools scaled to 0 through the normal update operation, control plane kept, counts
// remembered). A successful payment resumes everything. Platform admins can exempt, suspend or resume an org.
import { getDb, type Tx } from "@nuage/db";
import type { Actor, OrgScope } from "../actor.ts";
import { audit } from "../audit.ts";
import { now } from "../clock.ts";
import { updateCluster } from "../clusters/clusters.ts";
import { coreEnv } from "../env.ts";
import { AppError } from "../errors.ts";
import { queueMail } from "../mail/outbox.ts";
import { mutate } from "../tx.ts";
import { billingTestOrgs } from "./stripe.ts";

const DAY = 86_400_000;

export function dunningGraceMs(): number {
  const raw = process.env.NUAGE_DUNNING_GRACE_DAYS;
  const days = raw === undefined || raw === "" ? 7 : Number(raw);
  return (Number.isFinite(days) && days >= 0 ? days : 7) * DAY;
}

async function billingRecipients(tx: Tx, orgId: string) {
  const rows = await tx.membership.findMany({
    where: { orgId, role: { in: ["owner", "admin", "billing"] } },
    select: { user: { select: { email: true, name: true } } },
  });
  return rows.map((r) => r.user);
}

async function mailOrg(
  tx: Tx,
  after: (fn: () => Promise<unknown>) => void,
  orgId: string,
  subject: string,
  body: string,
) {
  const link = new URL("/billing", coreEnv().NUAGE_URL).toString();
  for (const u of await billingRecipients(tx, orgId)) {
    await queueMail(tx, after, { to: u.email, subject, text: `Hello ${u.name},\n\n${body}\n\n${link}\n` }, orgId);
  }
}

const SYSTEM: Actor = { type: "system" };

/**
 * Sets the org's payment state from the Stripe invoices mirrored so far (order-independent): any failed invoice
 * starts dunning once (notification mail); none resumes the org.
 */
export async function applyPaymentState(orgId: string): Promise<void> {
  const failing = await getDb().stripeInvoice.count({ where: { orgId, status: "failed" } });
  const acc = await getDb().billingAccount.findUnique({ where: { orgId } });
  if (!acc) return;
  if (failing > 0 && !acc.paymentFailedAt) {
    await mutate(async (tx, after) => {
      const n = await tx.billingAccount.updateMany({
        where: { orgId, paymentFailedAt: null },
        data: { paymentFailedAt: now(), dunningStage: "notified" },
      });
      if (n.count === 0) return;
      const days = Math.round(dunningGraceMs() / DAY);
      await mailOrg(
        tx,
        after,
        orgId,
        "Your Nuage payment failed",
        `We could not collect the payment for your Nuage invoice. Please update your payment method within ${days} days; after that the organization is suspended (no new clusters or scale-ups).`,
      );
      await audit(tx, SYSTEM, { orgId, action: "billing.payment_failed", targetType: "org", targetId: orgId });
    });
  } else if (failing === 0 && acc.paymentFailedAt) {
    await resumeOrg(orgId, SYSTEM);
  }
}

function systemScope(orgId: string): OrgScope {
  return { orgId, role: "owner", actor: SYSTEM };
}

interface HibernatedCluster {
  clusterId: string;
  pools: { name: string; count: number; minCount: number; maxCount: number }[];
}

async function suspendOrg(orgId: string, failedAt: Date, actor: Actor): Promise<void> {
  await mutate(async (tx, after) => {
    const org = await tx.org.findUnique({ where: { id: orgId } });
    if (!org) return;
    await tx.billingAccount.update({ where: { orgId }, data: { dunningStage: "suspended" } });
    if (!org.suspendedAt) {
      await tx.org.update({
        where: { id: orgId },
        data: {
          suspendedAt: now(),
          suspendedBy: "billing",
          suspendedReason: `Payment failed on ${failedAt.toISOString().slice(0, 10)}: update the payment method on the Billing page to lift the suspension`,
        },
      });
    }
    await mailOrg(
      tx,
      after,
      orgId,
      "Your Nuage organization is suspended",
      "The payment is still missing, so the organization is suspended: its clusters keep running, but no new clusters or scale-ups are possible until a payment succeeds.",
    );
    await audit(tx, actor, { orgId, action: "billing.suspend", targetType: "org", targetId: orgId });
  });
}

/** Scales every pool of the org's live clusters to 0 (one update operation per cluster), remembering the counts. */
async function hibernateOrg(orgId: string): Promise<boolean> {
  const db = getDb();
  const acc = await db.billingAccount.findUniqueOrThrow({ where: { orgId } });
  const saved = ((acc.hibernatedPools as HibernatedCluster[] | null) ?? []).slice();
  const clusters = await db.cluster.findMany({
    where: { orgId, deletedAt: null, status: { notIn: ["deleting", "deleted"] } },
    include: { nodePools: { where: { deletedAt: null } } },
  });
  let complete = true;
  for (const c of clusters) {
    if (saved.some((s) => s.clusterId === c.id)) continue;
    if (c.nodePools.every((p) => p.count === 0)) continue;
    try {
      await updateCluster(systemScope(orgId), {
        id: c.id,
        nodePools: c.nodePools.map((p) => ({
          name: p.name,
          flavor: p.flavor,
          count: 0,
          minCount: 0,
          maxCount: p.maxCount,
          labels: p.labels as Record<string, string>,
          taints: p.taints as never,
        })),
      });
      saved.push({
        clusterId: c.id,
        pools: c.nodePools.map((p) => ({ name: p.name, count: p.count, minCount: p.minCount, maxCount: p.maxCount })),
      });
      await db.billingAccount.update({ where: { orgId }, data: { hibernatedPools: saved as never } });
    } catch (e) {
      // A cluster with an operation in flight is retried at the next sweep.
      if (e instanceof AppError && e.code === "CONFLICT") complete = false;
      else throw e;
    }
  }
  if (complete) {
    await mutate(async (tx, after) => {
      await tx.billingAccount.update({ where: { orgId }, data: { dunningStage: "hibernated" } });
      await mailOrg(
        tx,
        after,
        orgId,
        "Your Nuage clusters are hibernated",
        "The payment is still missing: the nodes of your clusters were removed (control planes are kept). They come back as they were once a payment succeeds.",
      );
      await audit(tx, SYSTEM, { orgId, action: "billing.hibernate", targetType: "org", targetId: orgId });
    });
  }
  return complete;
}

/** Lifts a billing suspension and restores hibernated pools. */
export async function resumeOrg(orgId: string, actor: Actor): Promise<void> {
  const db = getDb();
  const acc = await db.billingAccount.findUnique({ where: { orgId } });
  await mutate(async (tx) => {
    await tx.billingAccount.upsert({
      where: { orgId },
      create: { orgId },
      update: { paymentFailedAt: null, dunningStage: "ok" },
    });
    await tx.org.updateMany({
      where: { id: orgId, suspendedBy: "billing" },
      data: { suspendedAt: null, suspendedBy: null, suspendedReason: null },
    });
    await audit(tx, actor, { orgId, action: "billing.resume", targetType: "org", targetId: orgId });
  });
  const saved = ((acc?.hibernatedPools as HibernatedCluster[] | null) ?? []).slice();
  const left: HibernatedCluster[] = [];
  for (const h of saved) {
    const c = await db.cluster.findFirst({
      where: { id: h.clusterId, orgId, deletedAt: null },
      include: { nodePools: { where: { deletedAt: null } } },
    });
    if (!c || c.status === "deleting" || c.status === "deleted") continue;
    try {
      await updateCluster(systemScope(orgId), {
        id: c.id,
        nodePools: c.nodePools.map((p) => {
          const was = h.pools.find((x) => x.name === p.name);
          return {
            name: p.name,
            flavor: p.flavor,
            count: was?.count ?? p.count,
            minCount: was?.minCount ?? p.minCount,
            maxCount: Math.max(was?.maxCount ?? p.maxCount, was?.count ?? p.count),
            labels: p.labels as Record<string, string>,
            taints: p.taints as never,
          };
        }),
      });
    } catch (e) {
      if (e instanceof AppError && (e.code === "CONFLICT" || e.code === "FORBIDDEN")) left.push(h);
      else throw e;
    }
  }
  await db.billingAccount.updateMany({
    where: { orgId },
    data: { hibernatedPools: left.length ? (left as never) : ([] as never) },
  });
}

/** Retries restores that could not run while an operation was in flight (part of the sweep). */
function testScope() {
  const orgIds = billingTestOrgs();
  return orgIds ? { orgId: { in: orgIds } } : {};
}

async function retryRestores(): Promise<void> {
  const pending = await getDb().billingAccount.findMany({
    where: { dunningStage: "ok", paymentFailedAt: null, ...testScope() },
    select: { orgId: true, hibernatedPools: true },
  });
  for (const p of pending) {
    const saved = (p.hibernatedPools as HibernatedCluster[] | null) ?? [];
    if (saved.length) await resumeOrg(p.orgId, SYSTEM);
  }
}

/** Repeatable job: moves orgs through the dunning stages when their periods have passed. */
export async function dunningSweep(): Promise<{ suspended: number; hibernated: number }> {
  const grace = dunningGraceMs();
  const t = now().getTime();
  let suspended = 0;
  let hibernated = 0;
  const due = await getDb().billingAccount.findMany({
    where: {
      paymentFailedAt: { not: null },
      dunningExempt: false,
      dunningStage: { in: ["notified", "suspended"] },
      ...testScope(),
    },
  });
  for (const acc of due) {
    const failedAt = acc.paymentFailedAt!;
    let stage = acc.dunningStage;
    if (stage === "notified" && t >= failedAt.getTime() + grace) {
      await suspendOrg(acc.orgId, failedAt, SYSTEM);
      stage = "suspended";
      suspended++;
    }
    if (stage === "suspended" && t >= failedAt.getTime() + 2 * grace) {
      if (await hibernateOrg(acc.orgId)) hibernated++;
    }
  }
  await retryRestores();
  return { suspended, hibernated };
}

export type DunningAction = "exempt" | "unexempt" | "suspend" | "resume";

/** Platform admins: exempt an org from dunning (or end that), suspend it now for billing, or resume it. */
export async function overrideDunning(actor: Actor, input: { orgId: string; action: DunningAction }) {
  const db = getDb();
  const org = await db.org.findUnique({ where: { id: input.orgId }, select: { id: true } });
  if (!org) throw new AppError("NOT_FOUND", "Organization not found", { field: "orgId" });
  await db.billingAccount.upsert({ where: { orgId: input.orgId }, create: { orgId: input.orgId }, update: {} });
  switch (input.action) {
    case "exempt":
    case "unexempt":
      await mutate(async (tx) => {
        await tx.billingAccount.update({
          where: { orgId: input.orgId },
          data: { dunningExempt: input.action === "exempt" },
        });
        await audit(tx, actor, {
          orgId: input.orgId,
          action: `billing.${input.action}`,
          targetType: "org",
          targetId: input.orgId,
        });
      });
      break;
    case "suspend": {
      const acc = await db.billingAccount.findUniqueOrThrow({ where: { orgId: input.orgId } });
      await db.billingAccount.update({
        where: { orgId: input.orgId },
        data: { paymentFailedAt: acc.paymentFailedAt ?? now() },
      });
      await suspendOrg(input.orgId, acc.paymentFailedAt ?? now(), actor);
      break;
    }
    case "resume":
      await resumeOrg(input.orgId, actor);
      break;
  }
  return billingStatus(input.orgId);
}

export interface BillingStatus {
  stripe: boolean;
  paymentMethod: string | null;
  subscriptionStatus: string | null;
  /** A plan change not yet applied to the Stripe subscription (Stripe failed; the billing sweep retries). */
  planSyncPending: boolean;
  dunningStage: string;
  paymentFailedAt: Date | null;
  dunningExempt: boolean;
  suspendedAt: Date | null;
  suspendedReason: string | null;
  suspendedBy: string | null;
}

export async function billingStatus(orgId: string): Promise<BillingStatus> {
  const db = getDb();
  const [acc, org] = await Promise.all([
    db.billingAccount.findUnique({ where: { orgId } }),
    db.org.findUnique({
      where: { id: orgId },
      select: { suspendedAt: true, suspendedReason: true, suspendedBy: true, plan: true },
    }),
  ]);
  return {
    stripe: Boolean(process.env.STRIPE_SECRET_KEY),
    paymentMethod: acc?.paymentMethod ?? null,
    subscriptionStatus: acc?.subscriptionStatus ?? null,
    planSyncPending: Boolean(acc?.stripeSubscriptionId && org && acc.subscriptionPlan !== org.plan),
    dunningStage: acc?.dunningStage ?? "ok",
    paymentFailedAt: acc?.paymentFailedAt ?? null,
    dunningExempt: acc?.dunningExempt ?? false,
    suspendedAt: org?.suspendedAt ?? null,
    suspendedReason: org?.suspendedReason ?? null,
    suspendedBy: org?.suspendedBy ?? null,
  };
}
