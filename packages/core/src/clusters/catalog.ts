// What the platform advertises before a cluster is created: regions, flavors, Kubernetes versions, and
// the price estimate. Prices come from the billing price book (the org's plan in the current version):
// a flavor costs its vCPUs × the vCPU-hour price + its GiB × the memory GiB-hour price, exactly what the
// invoice will charge for the node's ledger meters, so the numbers agree everywhere.
import { type Plan, PRICE_ITEM_INFO, type PriceItem } from "../billing/pricebook.ts";

export interface RegionEntry {
  name: string;
  displayName: string;
  zones: string[];
}

export interface FlavorEntry {
  name: string;
  vcpus: number;
  memoryMiB: number;
  diskGiB: number;
}

export interface VersionEntry {
  /** Minor version the tenant picks, e.g. "1.32". */
  version: string;
  /** Full version the control plane runs. */
  patch: string;
  isDefault: boolean;
}

export const REGIONS: RegionEntry[] = [
  { name: "local-1", displayName: "Local 1", zones: ["local-1a", "local-1b", "local-1c"] },
];

export const FLAVORS: FlavorEntry[] = [
  { name: "s-1vcpu-2gb", vcpus: 1, memoryMiB: 2048, diskGiB: 50 },
  { name: "s-2vcpu-4gb", vcpus: 2, memoryMiB: 4096, diskGiB: 80 },
  { name: "s-4vcpu-8gb", vcpus: 4, memoryMiB: 8192, diskGiB: 160 },
  { name: "c-8vcpu-16gb", vcpus: 8, memoryMiB: 16384, diskGiB: 200 },
];

export const VERSIONS: VersionEntry[] = [
  { version: "1.31", patch: "v1.31.4", isDefault: false },
  { version: "1.32", patch: "v1.32.0", isDefault: true },
  { version: "1.33", patch: "v1.33.1", isDefault: false },
];

export const DEFAULT_VERSION = VERSIONS.find((v) => v.isDefault)?.version ?? "1.32";
export const DEFAULT_REGION = "local-1";

/** Hours in a month as cloud price lists count them (the estimate's month). */
export const HOURS_PER_MONTH = 730;

export function flavorOf(name: string): FlavorEntry | undefined {
  return FLAVORS.find((f) => f.name === name);
}

export function versionOf(version: string): VersionEntry | undefined {
  return VERSIONS.find((v) => v.version === version);
}

export function regionOf(name: string): RegionEntry | undefined {
  return REGIONS.find((r) => r.name === name);
}

/** The prices an estimate uses: one plan of one price book version (see billing's `orgPricing`). */
export interface Pricing {
  priceVersion: number;
  currency: string;
  plan: string;
  planLabel: string;
  prices: Plan["prices"];
  included: Plan["included"];
}

export interface PricedFlavor extends FlavorEntry {
  /** Exact hourly price in micro-cents (1 cent = 1,000,000). */
  priceMicroHourly: number;
  /** The same, rounded half up to a whole cent. */
  priceCentsHourly: number;
  currency: string;
  priceVersion: number;
  plan: string;
}

/** round(micro / 1,000,000) half up, for non-negative integers. */
export function microToCents(micro: number): number {
  return Math.floor((micro + 500_000) / 1_000_000);
}

/** A flavor's hourly price: vCPUs × the vCPU-hour price + memory GiB × the memory GiB-hour price. */
export function flavorHourlyMicro(f: FlavorEntry, prices: Plan["prices"]): number {
  return f.vcpus * prices.vcpu_hour + Math.round((f.memoryMiB * prices.memory_gib_hour) / 1024);
}

export function pricedFlavors(pricing: Pricing): PricedFlavor[] {
  return FLAVORS.map((f) => {
    const micro = flavorHourlyMicro(f, pricing.prices);
    return {
      ...f,
      priceMicroHourly: micro,
      priceCentsHourly: microToCents(micro),
      currency: pricing.currency,
      priceVersion: pricing.priceVersion,
      plan: pricing.plan,
    };
  });
}

export interface EstimateInput {
  haControlPlane?: boolean;
  nodePools: { flavor: string; count: number }[];
}

export interface EstimateLine {
  item: PriceItem;
  label: string;
  /** The price book's unit, e.g. "vCPU-hour". */
  unit: string;
  /** Units used per hour (vCPUs, GiB of memory, 1 control plane). */
  quantity: number;
  unitPriceMicro: number;
  hourlyMicro: number;
  /** Units in a month of HOURS_PER_MONTH hours, what the plan includes of them, and the month's cost after that. */
  monthlyQuantity: number;
  includedQuantity: number;
  monthlyCents: number;
}

export interface Estimate {
  priceVersion: number;
  plan: string;
  planLabel: string;
  currency: string;
  /** Exact hourly price before included amounts, in micro-cents, and rounded to cents. */
  hourlyMicro: number;
  hourlyCents: number;
  /** A month of HOURS_PER_MONTH hours: before included amounts, what the plan includes, and what is left to pay. */
  monthlyBeforeIncludedCents: number;
  includedCents: number;
  monthlyCents: number;
  vcpus: number;
  memoryMiB: number;
  nodes: number;
  lines: EstimateLine[];
  /** Priced when used (not part of the estimate): volumes and load balancers the workloads create. */
  onUse: { item: PriceItem; label: string; unit: string; unitPriceMicro: number; includedQuantity: number }[];
}

/**
 * The price of a cluster as the invoice will compute it: node vCPU and memory, the control plane and the HA
 * surcharge, each an hourly quantity × the plan's unit price; a month is HOURS_PER_MONTH hours, each line
 * rounded half up to the cent once, the plan's included amounts (per org and month, shared by its clusters)
 * taken off per line. Unknown flavors are refused by validation first.
 */
export function estimate(input: EstimateInput, pricing: Pricing): Estimate {
  let vcpus = 0;
  let memoryMiB = 0;
  let nodes = 0;
  for (const p of input.nodePools) {
    const f = flavorOf(p.flavor);
    if (!f) continue;
    vcpus += f.vcpus * p.count;
    memoryMiB += f.memoryMiB * p.count;
    nodes += p.count;
  }
  const used: [PriceItem, number][] = [
    ["vcpu_hour", vcpus],
    ["memory_gib_hour", memoryMiB / 1024],
    ["controlplane_hour", 1],
  ];
  if (input.haControlPlane) used.push(["ha_hour", 1]);
  const cents = (quantity: number, price: number) => microToCents(Math.round(quantity * price));
  const lines: EstimateLine[] = used
    .filter(([, q]) => q > 0)
    .map(([item, quantity]) => {
      const price = pricing.prices[item];
      const monthlyQuantity = quantity * HOURS_PER_MONTH;
      const includedQuantity = Math.min(monthlyQuantity, pricing.included[item]);
      return {
        item,
        ...PRICE_ITEM_INFO[item],
        quantity,
        unitPriceMicro: price,
        hourlyMicro: Math.round(quantity * price),
        monthlyQuantity,
        includedQuantity,
        monthlyCents: cents(monthlyQuantity, price) - cents(includedQuantity, price),
      };
    });
  const hourlyMicro = lines.reduce((s, l) => s + l.hourlyMicro, 0);
  const monthlyBeforeIncludedCents = lines.reduce((s, l) => s + cents(l.monthlyQuantity, l.unitPriceMicro), 0);
  const monthlyCents = lines.reduce((s, l) => s + l.monthlyCents, 0);
  const onUse = (["storage_gib_month", "lb_hour"] as const).map((item) => ({
    item,
    ...PRICE_ITEM_INFO[item],
    unitPriceMicro: pricing.prices[item],
    includedQuantity: pricing.included[item],
  }));
  return {
    priceVersion: pricing.priceVersion,
    plan: pricing.plan,
    planLabel: pricing.planLabel,
    currency: pricing.currency,
    hourlyMicro,
    hourlyCents: microToCents(hourlyMicro),
    monthlyBeforeIncludedCents,
    includedCents: monthlyBeforeIncludedCents - monthlyCents,
    monthlyCents,
    vcpus,
    memoryMiB,
    nodes,
    lines,
    onUse,
  };
}
