// Display helpers of the billing pages (amounts arrive as integer cents; quantities as base-unit strings).

export function money(minor: number, currency: string): string {
  return new Intl.NumberFormat("en", { style: "currency", currency }).format(minor / 100);
}

export function monthLabel(d: Date | string): string {
  return new Date(d).toLocaleDateString("en", { month: "long", year: "numeric", timeZone: "UTC" });
}

const HOUR = 3600;

/** Label, unit and base units per unit for each billed meter; storage's GiB-month depends on the month. */
export function meterInfo(meter: string, periodStart: Date | string): { label: string; unit: string; size: number } {
  const start = new Date(periodStart);
  const monthSeconds =
    (Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1) -
      Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1)) /
    1000;
  switch (meter) {
    case "node_vcpu_seconds":
      return { label: "vCPU", unit: "vCPU-hours", size: HOUR };
    case "node_memory_mib_seconds":
      return { label: "Memory", unit: "GiB-hours", size: 1024 * HOUR };
    case "storage_mib_seconds":
      return { label: "Storage", unit: "GiB-months", size: 1024 * monthSeconds };
    case "controlplane_seconds":
      return { label: "Control plane", unit: "hours", size: HOUR };
    case "controlplane_ha_seconds":
      return { label: "HA control plane surcharge", unit: "hours", size: HOUR };
    case "loadbalancer_seconds":
      return { label: "Load balancers", unit: "hours", size: HOUR };
    default:
      return { label: meter, unit: "units", size: 1 };
  }
}

export function quantityText(quantity: string, meter: string, periodStart: Date | string): string {
  const { unit, size } = meterInfo(meter, periodStart);
  const v = Number(quantity) / size;
  return `${v.toLocaleString("en", { maximumFractionDigits: 2, minimumFractionDigits: 2 })} ${unit}`;
}

/** Micro-cents per unit → "€0.018 / vCPU-hour". */
export function unitPriceText(micro: string, meter: string, periodStart: Date | string, currency: string): string {
  const { unit } = meterInfo(meter, periodStart);
  const v = Number(micro) / 1_000_000 / 100;
  const s = new Intl.NumberFormat("en", { style: "currency", currency, maximumFractionDigits: 6 }).format(v);
  return `${s} / ${unit.replace(/s$/, "")}`;
}

export const PAYMENT_LABEL: Record<string, { text: string; tone: "gray" | "green" | "amber" | "red" }> = {
  not_collected: { text: "Not collected", tone: "gray" },
  pending: { text: "Pending", tone: "amber" },
  paid: { text: "Paid", tone: "green" },
  failed: { text: "Payment failed", tone: "red" },
};
