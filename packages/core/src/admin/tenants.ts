// Tenants (organizations) as operators see them: search, one tenant's whole picture, and the
// operator's actions on it. Not tenant-scoped on purpose; every action is audited in the tenant's
// org (so it shows in the tenant's audit trail) with the operator as actor.
import { getDb, type Prisma } from "@nuage/db";
import { z } from "zod";
import type { Actor } from "../actor.ts";
import { audit } from "../audit.ts";
import { moveOrgPlan } from "../billing/plansync.ts";
import { PLANS } from "../billing/pricebook.ts";
import { requestOrgDeletion } from "../clusters/orgdeletion.ts";
import { AppError } from "../errors.ts";
import { lockOrg, mutate } from "../tx.ts";

export type TenantStatus = "active" | "trial" | "suspended" | "deleting" | "deleted";

const ZReason = z
  .string({ error: "reason: say why (the tenant sees it)" })
  .trim()
  .min(3, "reason: say why in a few words (the tenant sees it)")
  .max(300, "reason: at most 300 characters");
export const ZSuspendInput = z.object({ id: z.string().min(1), reason: ZReason });
export const ZPlanInput = z.object({
  id: z.string().min(1),
  plan: z.enum(PLANS, { error: "plan: choose free, pro or business" }),
});
const quota = (field: string, max: number) =>
  z
    .number({ error: `${field}: a whole number` })
    .int(`${field}: a whole number`)
    .min(0, `${field}: 0 or more`)
    .max(max, `${field}: at most ${max}`);
export const ZQuotaInput = z.object({
  id: z.string().min(1),
  maxClusters: quota("maxClusters", 1000),
  maxNodesPerCluster: quota("maxNodesPerCluster", 1000),
  maxVcpu: quota("maxVcpu", 100_000),
});
export const ZTrialInput = z.object({
  id: z.string().min(1),
  days: z
    .number({ error: "days: a whole number" })
    .int("days: a whole number")
    .min(1, "days: at least 1")
    .max(365, "days: at most 365"),
});
export const ZDeleteTenantInput = z.object({ id: z.string().min(1), confirmName: z.string() });

type OrgRow = {
  deletedAt: Date | null;
  deletingAt: Date | null;
  suspendedAt: Date | null;
  trialEndsAt: Date | null;
};

export function tenantStatus(o: OrgRow, now = new Date()): TenantStatus {
  if (o.deletedAt) return "deleted";
  if (o.deletingAt) return "deleting";
  if (o.suspendedAt) return "suspended";
  if (o.trialEndsAt && o.trialEndsAt > now) return "trial";
  return "active";
}

/** Search by org name or id, or a member's e-mail (substring, case-insensitive). */
export async function searchTenants(input: { q?: string; status?: TenantStatus; limit?: number }) {
  const db = getDb();
  const q = input.q?.trim() ?? "";
  const where: Prisma.OrgWhereInput = q
    ? {
        OR: [
          { id: q },
          { name: { contains: q, mode: "insensitive" } },
          { memberships: { some: { user: { email: { contains: q.toLowerCase() } } } } },
        ],
      }
    : {};
  const now = new Date();
  if (input.status === "deleted") where.deletedAt = { not: null };
  else if (input.status === "deleting") Object.assign(where, { deletedAt: null, deletingAt: { not: null } });
  else if (input.status === "suspended")
    Object.assign(where, { deletingAt: null, deletedAt: null, suspendedAt: { not: null } });
  else if (input.status === "trial")
    Object.assign(where, { deletingAt: null, deletedAt: null, suspendedAt: null, trialEndsAt: { gt: now } });
  else if (input.status === "active")
    Object.assign(where, {
      deletingAt: null,
      deletedAt: null,
      suspendedAt: null,
      AND: [{ OR: [{ trialEndsAt: null }, { trialEndsAt: { lte: now } }] }],
    });
  const rows = await db.org.findMany({
    where,
    orderBy: { createdAt: "desc" },
    take: Math.min(Math.max(input.limit ?? 50, 1), 200),
    include: {
      _count: { select: { memberships: true, clusters: { where: { deletedAt: null } } } },
      memberships: {
        where: { role: "owner" },
        take: 1,
        orderBy: { createdAt: "asc" },
        include: { user: { select: { email: true } } },
      },
    },
  });
  return rows.map((o) => ({
    id: o.id,
    name: o.name,
    plan: o.plan,
    status: tenantStatus(o, now),
    ownerEmail: o.memberships[0]?.user.email ?? null,
    members: o._count.memberships,
    clusters: o._count.clusters,
    createdAt: o.createdAt,
  }));
}

async function tableExists(name: string): Promise<boolean> {
  const r = await getDb().$queryRaw<{ t: string | null }[]>`SELECT to_regclass(${`"${name}"`})::text AS t`;
  return Boolean(r[0]?.t);
}

/** Invoices and payment status from billing's tables, when billing is installed (else empty). */
async function billingOf(orgId: string) {
  const db = getDb();
  const invoices = (await tableExists("Invoice"))
    ? await db.$queryRaw<
        {
          id: string;
          periodStart: Date;
          status: string;
          currency: string;
          totalMinor: bigint;
          paymentStatus: string;
        }[]
      >`SELECT "id", "periodStart", "status", "currency", "totalMinor", "paymentStatus" FROM "Invoice"
        WHERE "orgId" = ${orgId} ORDER BY "periodStart" DESC LIMIT 24`
    : [];
  const account = (await tableExists("BillingAccount"))
    ? (
        await db.$queryRaw<{ subscriptionStatus: string | null; dunningStage: string; paymentMethod: string | null }[]>`
          SELECT "subscriptionStatus", "dunningStage", "paymentMethod" FROM "BillingAccount" WHERE "orgId" = ${orgId}`
      )[0]
    : undefined;
  return {
    invoices: invoices.map((i) => ({ ...i, totalMinor: Number(i.totalMinor) })),
    payment: account
      ? { subscription: account.subscriptionStatus, dunningStage: account.dunningStage, method: account.paymentMethod }
      : null,
  };
}

/** vCPU-hours per day over the last 30 days, from metering's daily rollups (empty without metering). */
export async function usageByDay(orgId: string | null, days = 30) {
  if (!(await tableExists("UsageRollup"))) return [];
  const since = new Date(Date.now() - days * 86_400_000);
  const rows = await getDb().$queryRaw<{ day: Date; seconds: bigint }[]>`
    SELECT "periodStart" AS day, SUM("quantity")::bigint AS seconds FROM "UsageRollup"
    WHERE "period" = 'day' AND "meter" = 'node_vcpu_seconds' AND "periodStart" >= ${since}
      AND (${orgId}::text IS NULL OR "orgId" = ${orgId})
    GROUP BY "periodStart" ORDER BY "periodStart"`;
  return rows.map((r) => ({ day: r.day, vcpuHours: Math.round(Number(r.seconds) / 36) / 100 }));
}

export async function getTenant(id: string) {
  const db = getDb();
  const o = await db.org.findUnique({
    where: { id },
    include: {
      memberships: {
        orderBy: { createdAt: "asc" },
        include: { user: { select: { id: true, email: true, name: true } } },
      },
      clusters: {
        where: { deletedAt: null },
        orderBy: { createdAt: "desc" },
        include: { _count: { select: { nodes: { where: { deletedAt: null } } } } },
      },
    },
  });
  if (!o) throw new AppError("NOT_FOUND", "Organization not found");
  const [trail, usage, billing] = await Promise.all([
    db.auditLog.findMany({ where: { orgId: id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 50 }),
    usageByDay(id),
    billingOf(id),
  ]);
  const userIds = [...new Set(trail.map((t) => t.actorUserId).filter((x): x is string => !!x))];
  const users = userIds.length
    ? await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, email: true } })
    : [];
  const emailOf = new Map(users.map((u) => [u.id, u.email]));
  return {
    id: o.id,
    name: o.name,
    plan: o.plan,
    status: tenantStatus(o),
    createdAt: o.createdAt,
    trialEndsAt: o.trialEndsAt,
    suspendedAt: o.suspendedAt,
    suspendedReason: o.suspendedReason,
    suspendedBy: o.suspendedBy,
    deletingAt: o.deletingAt,
    deletedAt: o.deletedAt,
    quotas: { maxClusters: o.maxClusters, maxNodesPerCluster: o.maxNodesPerCluster, maxVcpu: o.maxVcpu },
    members: o.memberships.map((m) => ({ userId: m.user.id, email: m.user.email, name: m.user.name, role: m.role })),
    clusters: o.clusters.map((c) => ({
      id: c.id,
      name: c.name,
      region: c.region,
      version: c.version,
      status: c.status,
      nodes: c._count.nodes,
      createdAt: c.createdAt,
    })),
    usage,
    ...billing,
    audit: trail.map((t) => ({
      id: t.id,
      action: t.action,
      actorType: t.actorType,
      actorEmail: t.actorUserId ? (emailOf.get(t.actorUserId) ?? null) : null,
      targetType: t.targetType,
      targetId: t.targetId,
      createdAt: t.createdAt,
    })),
  };
}
export type TenantView = Awaited<ReturnType<typeof getTenant>>;

/** Loads the org under its row lock (refusing a deleted one), applies `data`, audits. */
async function change(
  actor: Actor,
  id: string,
  action: string,
  build: (o: NonNullable<Awaited<ReturnType<ReturnType<typeof getDb>["org"]["findUnique"]>>>) => Prisma.OrgUpdateInput,
  metadata?: Prisma.InputJsonValue,
) {
  await mutate(async (tx) => {
    await lockOrg(tx, id);
    const o = await tx.org.findUnique({ where: { id } });
    if (!o) throw new AppError("NOT_FOUND", "Organization not found");
    if (o.deletedAt) throw new AppError("CONFLICT", "This organization was deleted; it cannot be changed");
    await tx.org.update({ where: { id }, data: build(o) });
    await audit(tx, actor, { orgId: id, action, targetType: "org", targetId: id, metadata });
  });
  return getTenant(id);
}

/**
 * Billing's plan change, as billing.admin.setPlan: the plan's limits come with it (current price book), then the
 * Stripe subscription's prices (`stripeSync` "pending" if Stripe failed: the billing sweep retries). Audited as
 * the operator's.
 */
export async function setTenantPlan(actor: Actor, input: z.input<typeof ZPlanInput>) {
  const v = ZPlanInput.parse(input);
  const o = await getDb().org.findUnique({ where: { id: v.id }, select: { deletedAt: true } });
  if (!o) throw new AppError("NOT_FOUND", "Organization not found");
  if (o.deletedAt) throw new AppError("CONFLICT", "This organization was deleted; it cannot be changed");
  const { stripeSync } = await moveOrgPlan(actor, { orgId: v.id, plan: v.plan });
  return { ...(await getTenant(v.id)), stripeSync };
}

export function setTenantQuotas(actor: Actor, input: z.input<typeof ZQuotaInput>) {
  const { id, ...q } = ZQuotaInput.parse(input);
  return change(actor, id, "admin.org.quotas", () => q, q);
}

export function extendTrial(actor: Actor, input: z.input<typeof ZTrialInput>) {
  const v = ZTrialInput.parse(input);
  return change(
    actor,
    v.id,
    "admin.org.trial",
    (o) => {
      const from = o.trialEndsAt && o.trialEndsAt > new Date() ? o.trialEndsAt : new Date();
      return { trialEndsAt: new Date(from.getTime() + v.days * 86_400_000) };
    },
    { days: v.days },
  );
}

export function suspendTenant(actor: Actor, input: z.input<typeof ZSuspendInput>) {
  const v = ZSuspendInput.parse(input);
  return change(
    actor,
    v.id,
    "admin.org.suspend",
    () => ({ suspendedAt: new Date(), suspendedReason: v.reason, suspendedBy: "operator" }),
    { reason: v.reason },
  );
}

export function resumeTenant(actor: Actor, id: string) {
  return change(actor, id, "admin.org.resume", (o) => {
    if (!o.suspendedAt) throw new AppError("CONFLICT", "This organization is not suspended");
    return { suspendedAt: null, suspendedReason: null, suspendedBy: null };
  });
}

/** Typed confirmation, then H4's org deletion: cluster deletions first, the org row last. */
export async function deleteTenant(actor: Actor, input: z.input<typeof ZDeleteTenantInput>) {
  const v = ZDeleteTenantInput.parse(input);
  const o = await getDb().org.findUnique({ where: { id: v.id }, select: { name: true } });
  if (!o) throw new AppError("NOT_FOUND", "Organization not found");
  if (v.confirmName.trim() !== o.name) {
    throw new AppError("BAD_REQUEST", `Type the organization's name (${o.name}) to confirm the deletion`, {
      field: "confirmName",
    });
  }
  await mutate((tx) =>
    audit(tx, actor, { orgId: v.id, action: "admin.org.delete", targetType: "org", targetId: v.id }),
  );
  return requestOrgDeletion(v.id, actor);
}
