// The price book: plans with limits, included amounts and unit prices, versioned (an edit inserts a new
// version; invoices cite the version they used). Unit prices are integers in micro-minor units
// (1 cent = 1,000,000) so sub-cent prices stay exact; invoice lines are rounded to cents (pricing.ts).
import { getDb, isUniqueViolation, type Tx } from "@nuage/db";
import { z } from "zod";
import type { Actor, OrgScope } from "../actor.ts";
import { actorUserId } from "../actor.ts";
import { audit } from "../audit.ts";
import { FLAVORS, type Pricing } from "../clusters/catalog.ts";
import { AppError } from "../errors.ts";
import { requireRole } from "../roles.ts";
import { mutate } from "../tx.ts";

export const PLANS = ["free", "pro", "business"] as const;
export type PlanKey = (typeof PLANS)[number];

/** Priced items of the price book; each is fed by one ledger meter (pricing.ts). */
export const PRICE_ITEMS = [
  "vcpu_hour",
  "memory_gib_hour",
  "storage_gib_month",
  "controlplane_hour",
  "ha_hour",
  "lb_hour",
] as const;
export type PriceItem = (typeof PRICE_ITEMS)[number];

export const PRICE_ITEM_INFO: Record<PriceItem, { label: string; unit: string }> = {
  vcpu_hour: { label: "vCPU", unit: "vCPU-hour" },
  memory_gib_hour: { label: "Memory", unit: "GiB-hour" },
  storage_gib_month: { label: "Storage", unit: "GiB-month" },
  controlplane_hour: { label: "Control plane", unit: "hour" },
  ha_hour: { label: "HA control plane surcharge", unit: "hour" },
  lb_hour: { label: "Load balancer", unit: "hour" },
};

const ZMicro = (field: string) =>
  z
    .number({ error: `${field} must be a number` })
    .int(`${field} must be a whole number of micro-cents`)
    .min(0, `${field} cannot be negative`)
    .max(1e12, `${field} is too large`);
const ZCount = (field: string) =>
  z
    .number({ error: `${field} must be a number` })
    .int(`${field} must be a whole number`)
    .min(0, `${field} cannot be negative`)
    .max(100_000, `${field} is too large`);

export const ZPlan = z.object({
  label: z.string().trim().min(1, "label is required").max(50, "label is too long"),
  limits: z.object({
    maxClusters: ZCount("maxClusters").min(1, "maxClusters must be at least 1"),
    maxNodesPerCluster: ZCount("maxNodesPerCluster").min(1, "maxNodesPerCluster must be at least 1"),
    maxVcpu: ZCount("maxVcpu").min(1, "maxVcpu must be at least 1"),
  }),
  /** Included per org and month, in the item's unit (whole units). */
  included: z.object(
    Object.fromEntries(PRICE_ITEMS.map((k) => [k, ZCount(`included.${k}`)])) as Record<
      PriceItem,
      ReturnType<typeof ZCount>
    >,
  ),
  /** Micro-minor units per item unit. */
  prices: z.object(
    Object.fromEntries(PRICE_ITEMS.map((k) => [k, ZMicro(`prices.${k}`)])) as Record<
      PriceItem,
      ReturnType<typeof ZMicro>
    >,
  ),
});
export type Plan = z.infer<typeof ZPlan>;
export const ZPlans = z.object({ free: ZPlan, pro: ZPlan, business: ZPlan });
export type Plans = z.infer<typeof ZPlans>;

const c = (cents: number) => Math.round(cents * 1_000_000);

/** Version 1, seeded on first use. EUR. */
export const DEFAULT_PLANS: Plans = {
  free: {
    label: "Free",
    limits: { maxClusters: 3, maxNodesPerCluster: 10, maxVcpu: 24 },
    included: {
      vcpu_hour: 100,
      memory_gib_hour: 200,
      storage_gib_month: 10,
      controlplane_hour: 744,
      ha_hour: 0,
      lb_hour: 0,
    },
    prices: {
      vcpu_hour: c(2),
      memory_gib_hour: c(0.25),
      storage_gib_month: c(10),
      controlplane_hour: c(10),
      ha_hour: c(15),
      lb_hour: c(1.5),
    },
  },
  pro: {
    label: "Pro",
    limits: { maxClusters: 20, maxNodesPerCluster: 50, maxVcpu: 200 },
    included: {
      vcpu_hour: 0,
      memory_gib_hour: 0,
      storage_gib_month: 50,
      controlplane_hour: 744,
      ha_hour: 0,
      lb_hour: 744,
    },
    prices: {
      vcpu_hour: c(1.8),
      memory_gib_hour: c(0.225),
      storage_gib_month: c(9),
      controlplane_hour: c(10),
      ha_hour: c(12),
      lb_hour: c(1.2),
    },
  },
  business: {
    label: "Business",
    limits: { maxClusters: 100, maxNodesPerCluster: 200, maxVcpu: 2000 },
    included: {
      vcpu_hour: 0,
      memory_gib_hour: 0,
      storage_gib_month: 500,
      controlplane_hour: 7440,
      ha_hour: 744,
      lb_hour: 3720,
    },
    prices: {
      vcpu_hour: c(1.5),
      memory_gib_hour: c(0.2),
      storage_gib_month: c(8),
      controlplane_hour: c(8),
      ha_hour: c(10),
      lb_hour: c(1),
    },
  },
};

export interface PriceBook {
  version: number;
  currency: string;
  plans: Plans;
  note: string | null;
  createdAt: Date;
}

function view(row: {
  version: number;
  currency: string;
  plans: unknown;
  note: string | null;
  createdAt: Date;
}): PriceBook {
  return {
    version: row.version,
    currency: row.currency,
    plans: ZPlans.parse(row.plans),
    note: row.note,
    createdAt: row.createdAt,
  };
}

/** The current version (the highest), seeding version 1 when the table is empty. */
export async function currentPriceBook(): Promise<PriceBook> {
  const db = getDb();
  const row = await db.priceBookVersion.findFirst({ orderBy: { version: "desc" } });
  if (row) return view(row);
  try {
    await db.priceBookVersion.create({
      data: { version: 1, currency: "EUR", plans: DEFAULT_PLANS, note: "Default prices" },
    });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e; // seeded concurrently
  }
  return view(await db.priceBookVersion.findFirstOrThrow({ orderBy: { version: "desc" } }));
}

export async function getPriceBook(version: number): Promise<PriceBook> {
  const row = await getDb().priceBookVersion.findUnique({ where: { version } });
  if (!row) throw new AppError("NOT_FOUND", `Price book version ${version} not found`, { field: "version" });
  return view(row);
}

export async function listPriceBooks(): Promise<PriceBook[]> {
  await currentPriceBook();
  const rows = await getDb().priceBookVersion.findMany({ orderBy: { version: "desc" }, take: 100 });
  return rows.map(view);
}

/**
 * Platform admins: inserts version n+1 (`basedOn` must be the current version, so two admins editing at once
 * cannot overwrite each other silently), then moves every org's limits to its plan's new limits.
 */
export async function updatePriceBook(actor: Actor, input: { basedOn: number; plans: Plans; note?: string | null }) {
  const plans = ZPlans.parse(input.plans);
  const current = await currentPriceBook();
  if (current.version !== input.basedOn) {
    throw new AppError(
      "CONFLICT",
      `The price book changed meanwhile (now version ${current.version}); reload and edit again`,
      {
        field: "basedOn",
      },
    );
  }
  const version = current.version + 1;
  try {
    await mutate(async (tx) => {
      await tx.priceBookVersion.create({
        data: { version, currency: current.currency, plans, note: input.note ?? null, createdById: actorUserId(actor) },
      });
      for (const p of PLANS) await applyPlanLimits(tx, p, plans[p]);
      await audit(tx, actor, {
        orgId: null,
        action: "pricebook.update",
        targetType: "pricebook",
        targetId: String(version),
      });
    });
  } catch (e) {
    if (isUniqueViolation(e))
      throw new AppError("CONFLICT", "The price book changed meanwhile; reload and edit again", { field: "basedOn" });
    throw e;
  }
  return getPriceBook(version);
}

async function applyPlanLimits(tx: Tx, plan: PlanKey, p: Plan, orgId?: string) {
  await tx.org.updateMany({
    where: orgId ? { id: orgId } : { plan },
    data: {
      maxClusters: p.limits.maxClusters,
      maxNodesPerCluster: p.limits.maxNodesPerCluster,
      maxVcpu: p.limits.maxVcpu,
    },
  });
}

/** The prices of the org's plan in the current price book version (what estimates and flavor prices use). */
export async function orgPricing(orgId: string): Promise<Pricing> {
  const [book, org] = await Promise.all([
    currentPriceBook(),
    getDb().org.findUnique({ where: { id: orgId }, select: { plan: true } }),
  ]);
  if (!org) throw new AppError("NOT_FOUND", "Organization not found");
  const plan = (PLANS as readonly string[]).includes(org.plan) ? (org.plan as PlanKey) : "free";
  const p = book.plans[plan];
  return {
    priceVersion: book.version,
    currency: book.currency,
    plan,
    planLabel: p.label,
    prices: p.prices,
    included: p.included,
  };
}

/**
 * Org owners and admins: switch the org to another plan. Refused (naming `plan`) while the org uses more than
 * the plan allows; its limits follow the plan; with Stripe, the subscription's prices follow too, or, if Stripe
 * fails, the change stands with `stripeSyncPending` and the billing sweep applies it (plansync.ts).
 */
export async function changeOrgPlan(
  scope: OrgScope,
  input: { plan: PlanKey },
): Promise<{ plan: PlanKey; stripeUpdated: boolean; stripeSyncPending: boolean }> {
  requireRole(scope.role, "admin", "change the plan");
  if (!(PLANS as readonly string[]).includes(input.plan))
    throw new AppError("BAD_REQUEST", `plan must be one of ${PLANS.join(", ")}`, { field: "plan" });
  const book = await currentPriceBook();
  const target = book.plans[input.plan];
  const db = getDb();
  const clusters = await db.cluster.findMany({
    where: { orgId: scope.orgId, deletedAt: null, status: { not: "deleted" } },
    select: { nodePools: { where: { deletedAt: null }, select: { flavor: true, count: true } } },
  });
  if (clusters.length > target.limits.maxClusters)
    throw new AppError(
      "BAD_REQUEST",
      `The ${target.label} plan allows ${target.limits.maxClusters} clusters and this organization has ${clusters.length}: delete some first`,
      { field: "plan" },
    );
  const vcpu = clusters
    .flatMap((c) => c.nodePools)
    .reduce((s, p) => s + (FLAVORS.find((f) => f.name === p.flavor)?.vcpus ?? 0) * p.count, 0);
  if (vcpu > target.limits.maxVcpu)
    throw new AppError(
      "BAD_REQUEST",
      `The ${target.label} plan allows ${target.limits.maxVcpu} vCPU and this organization's nodes have ${vcpu}: scale down first`,
      { field: "plan" },
    );
  await setOrgPlan(scope.actor, { orgId: scope.orgId, plan: input.plan });
  const { syncPlanOrDefer } = await import("./plansync.ts");
  const sync = await syncPlanOrDefer(scope.orgId);
  return { plan: input.plan, stripeUpdated: sync === "synced", stripeSyncPending: sync === "pending" };
}

/** Platform admins: moves an org to a plan; its limits follow the plan. */
export async function setOrgPlan(actor: Actor, input: { orgId: string; plan: PlanKey }) {
  const book = await currentPriceBook();
  await mutate(async (tx) => {
    const org = await tx.org.findUnique({ where: { id: input.orgId }, select: { id: true } });
    if (!org) throw new AppError("NOT_FOUND", "Organization not found", { field: "orgId" });
    await tx.org.update({ where: { id: input.orgId }, data: { plan: input.plan } });
    await applyPlanLimits(tx, input.plan, book.plans[input.plan], input.orgId);
    await audit(tx, actor, {
      orgId: input.orgId,
      action: "org.plan",
      targetType: "org",
      targetId: input.orgId,
      metadata: { plan: input.plan },
    });
  });
  return { orgId: input.orgId, plan: input.plan };
}
