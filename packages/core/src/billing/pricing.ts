// Pricing: ledger quantities (base units, BigInt) × unit prices (micro-minor units) → cents.
// Rules (docs/billing.md): each line's exact product quantity × price is divided by the item's unit size once and
// rounded half-up to the cent once per line; included amounts are priced the same way as a negative line per meter;
// totals are sums of rounded lines. The same arithmetic runs in SQL (invoices.ts) on numeric, which is exact.
import type { Plan, PriceItem } from "./pricebook.ts";

/** The ledger meters that are billed, with the priced item they feed. */
export const BILLED_METERS = {
  node_vcpu_seconds: "vcpu_hour",
  node_memory_mib_seconds: "memory_gib_hour",
  storage_mib_seconds: "storage_gib_month",
  controlplane_seconds: "controlplane_hour",
  controlplane_ha_seconds: "ha_hour",
  loadbalancer_seconds: "lb_hour",
} as const satisfies Record<string, PriceItem>;
export type BilledMeter = keyof typeof BILLED_METERS;
export const BILLED_METER_LIST = Object.keys(BILLED_METERS) as BilledMeter[];

export const MICRO = 1_000_000n;

export function monthStart(t: Date): Date {
  return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1));
}
export function monthEnd(t: Date): Date {
  return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1));
}
export function monthSeconds(periodStart: Date): bigint {
  return BigInt((monthEnd(periodStart).getTime() - monthStart(periodStart).getTime()) / 1000);
}

/**
 * Base units of the ledger meter in one unit of its priced item: vCPU-seconds per vCPU-hour (3600),
 * MiB-seconds per GiB-hour (1024 × 3600), MiB-seconds per GiB-month (1024 × the seconds of the invoiced month).
 */
export function unitSize(meter: BilledMeter, periodStart: Date): bigint {
  switch (meter) {
    case "node_memory_mib_seconds":
      return 1024n * 3600n;
    case "storage_mib_seconds":
      return 1024n * monthSeconds(periodStart);
    default:
      return 3600n;
  }
}

/** round(n / d) with halves rounded up (away from zero for n ≥ 0), d > 0, in exact integers. */
export function divRoundHalfUp(n: bigint, d: bigint): bigint {
  if (d <= 0n) throw new Error("divisor must be positive");
  if (n < 0n) return -divRoundHalfUp(-n, d);
  return (2n * n + d) / (2n * d);
}

/** Cents for `quantity` base units at `priceMicro` per item unit. */
export function lineAmount(quantity: bigint, priceMicro: bigint, size: bigint): bigint {
  return divRoundHalfUp(quantity * priceMicro, size * MICRO);
}

export interface UsageQuantity {
  clusterId: string;
  meter: string;
  quantity: bigint;
}

export interface PricedLine {
  clusterId: string;
  meter: BilledMeter;
  kind: "usage" | "included";
  quantity: bigint;
  unitPriceMicro: bigint;
  amountMinor: bigint;
}

export interface PricedTotals {
  lines: PricedLine[];
  subtotalMinor: bigint;
  includedMinor: bigint;
  creditMinor: bigint;
  totalMinor: bigint;
}

/** Prices a month of usage for one plan (what the invoice SQL computes), applying up to `creditBalance` cents. */
export function priceUsage(
  plan: Pick<Plan, "prices" | "included">,
  usage: UsageQuantity[],
  periodStart: Date,
  creditBalance = 0n,
): PricedTotals {
  const byKey = new Map<string, UsageQuantity>();
  for (const u of usage) {
    if (!(u.meter in BILLED_METERS)) continue;
    const k = `${u.clusterId}\u0000${u.meter}`;
    const prev = byKey.get(k);
    byKey.set(k, { ...u, quantity: (prev?.quantity ?? 0n) + u.quantity });
  }
  const lines: PricedLine[] = [];
  const perMeter = new Map<BilledMeter, bigint>();
  for (const u of byKey.values()) {
    if (u.quantity === 0n) continue;
    const meter = u.meter as BilledMeter;
    const price = BigInt(plan.prices[BILLED_METERS[meter]]);
    const size = unitSize(meter, periodStart);
    lines.push({
      clusterId: u.clusterId,
      meter,
      kind: "usage",
      quantity: u.quantity,
      unitPriceMicro: price,
      amountMinor: lineAmount(u.quantity, price, size),
    });
    perMeter.set(meter, (perMeter.get(meter) ?? 0n) + u.quantity);
  }
  for (const [meter, total] of perMeter) {
    const size = unitSize(meter, periodStart);
    const included = BigInt(plan.included[BILLED_METERS[meter]]) * size;
    const q = total < included ? total : included;
    if (q <= 0n) continue;
    const price = BigInt(plan.prices[BILLED_METERS[meter]]);
    lines.push({
      clusterId: "",
      meter,
      kind: "included",
      quantity: q,
      unitPriceMicro: price,
      amountMinor: -lineAmount(q, price, size),
    });
  }
  lines.sort(
    (a, b) =>
      a.kind.localeCompare(b.kind) * -1 || a.clusterId.localeCompare(b.clusterId) || a.meter.localeCompare(b.meter),
  );
  const subtotalMinor = lines.filter((l) => l.kind === "usage").reduce((s, l) => s + l.amountMinor, 0n);
  const includedMinor = -lines.filter((l) => l.kind === "included").reduce((s, l) => s + l.amountMinor, 0n);
  const due = subtotalMinor - includedMinor;
  const balance = creditBalance > 0n ? creditBalance : 0n;
  const creditMinor = balance < due ? balance : due;
  return { lines, subtotalMinor, includedMinor, creditMinor, totalMinor: due - creditMinor };
}

/** Price rows for the invoice SQL: one per plan and billed meter. */
export function priceRows(plans: Record<string, Plan>, periodStart: Date) {
  const rows: { plan: string; meter: string; price: string; size: string; included: string }[] = [];
  for (const [plan, p] of Object.entries(plans)) {
    for (const meter of BILLED_METER_LIST) {
      const size = unitSize(meter, periodStart);
      rows.push({
        plan,
        meter,
        price: String(p.prices[BILLED_METERS[meter]]),
        size: String(size),
        included: String(BigInt(p.included[BILLED_METERS[meter]]) * size),
      });
    }
  }
  return rows;
}

/** Formats cents as "€12.34" (display only). */
export function formatMinor(minor: bigint, currency = "EUR"): string {
  const neg = minor < 0n;
  const abs = neg ? -minor : minor;
  const s = `${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
  const sym = currency === "EUR" ? "€" : currency === "USD" ? "$" : `${currency} `;
  return `${neg ? "-" : ""}${sym}${s}`;
}
