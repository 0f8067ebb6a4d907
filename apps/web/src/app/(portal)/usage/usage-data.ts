// Turning the usage report (integer quantities in base units) into what the page shows.

export type RangeKey = "24h" | "7d" | "30d" | "90d" | "custom";
export type Granularity = "hour" | "day";

export const RANGES: { key: RangeKey; label: string; days: number; granularity: Granularity }[] = [
  { key: "24h", label: "Last 24 hours", days: 1, granularity: "hour" },
  { key: "7d", label: "Last 7 days", days: 7, granularity: "hour" },
  { key: "30d", label: "Last 30 days", days: 30, granularity: "day" },
  { key: "90d", label: "Last 90 days", days: 90, granularity: "day" },
  { key: "custom", label: "Custom range", days: 0, granularity: "day" },
];

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** [from, to) of a preset, aligned on the granularity (the current period included). */
export function presetRange(key: RangeKey, nowMs = Date.now()): { from: Date; to: Date; granularity: Granularity } {
  const r = RANGES.find((x) => x.key === key) ?? RANGES[2];
  const step = r!.granularity === "hour" ? HOUR : DAY;
  const to = Math.ceil((nowMs + 1) / step) * step;
  return { from: new Date(to - r!.days * DAY), to: new Date(to), granularity: r!.granularity };
}

/** A custom range from two yyyy-mm-dd inputs (UTC days, end day included); an error names the field. */
export function customRange(
  fromDay: string,
  toDay: string,
): { from: Date; to: Date; granularity: Granularity } | { field: "from" | "to"; message: string } {
  const from = Date.parse(`${fromDay}T00:00:00Z`);
  const to = Date.parse(`${toDay}T00:00:00Z`);
  if (Number.isNaN(from)) return { field: "from", message: "Pick a start day" };
  if (Number.isNaN(to)) return { field: "to", message: "Pick an end day" };
  if (to < from) return { field: "to", message: "The end day must be on or after the start day" };
  if (to - from > 399 * DAY) return { field: "from", message: "A range covers at most 400 days" };
  return { from: new Date(from), to: new Date(to + DAY), granularity: "day" };
}

type Values = Record<string, string | undefined>;
const q = (v: Values, meter: string) => Number(v[meter] ?? 0);

/** Averages over each period: vCPU, GiB of memory, GiB of storage. */
export function chartRows(series: { periodStart: Date | string; values: Values }[], granularity: Granularity) {
  const secs = granularity === "hour" ? 3600 : 86_400;
  return series.map((p) => ({
    t: new Date(p.periodStart).getTime(),
    cpuCapacity: q(p.values, "node_vcpu_seconds") / secs,
    cpuRequested: q(p.values, "cpu_request_millicore_seconds") / 1000 / secs,
    cpuUsed: q(p.values, "cpu_usage_millicore_seconds") / 1000 / secs,
    memCapacity: q(p.values, "node_memory_mib_seconds") / 1024 / secs,
    memRequested: q(p.values, "memory_request_mib_seconds") / 1024 / secs,
    memUsed: q(p.values, "memory_usage_mib_seconds") / 1024 / secs,
    storage: q(p.values, "storage_mib_seconds") / 1024 / secs,
  }));
}

/** Totals in hours: vCPU-hours, GiB-hours, hours. */
export function totals(v: Values) {
  return {
    vcpuHours: q(v, "node_vcpu_seconds") / 3600,
    memoryGiBHours: q(v, "node_memory_mib_seconds") / 1024 / 3600,
    controlPlaneHours: q(v, "controlplane_seconds") / 3600,
    haHours: q(v, "controlplane_ha_seconds") / 3600,
    lbHours: q(v, "loadbalancer_seconds") / 3600,
    cpuUsedHours: q(v, "cpu_usage_millicore_seconds") / 1000 / 3600,
    cpuRequestedHours: q(v, "cpu_request_millicore_seconds") / 1000 / 3600,
    memUsedGiBHours: q(v, "memory_usage_mib_seconds") / 1024 / 3600,
    memRequestedGiBHours: q(v, "memory_request_mib_seconds") / 1024 / 3600,
    storageGiBHours: q(v, "storage_mib_seconds") / 1024 / 3600,
  };
}

export function fmt(n: number, digits = 2): string {
  if (n === 0) return "0";
  if (Math.abs(n) < 0.01) return "< 0.01";
  return n.toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function money(minor: number, currency: string): string {
  return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(minor / 100);
}

/** "12.50" or "12,50" → 1250 cents; null when not a positive amount with at most 2 decimals. */
export function parseAmount(text: string): number | null {
  const t = text.trim().replace(",", ".");
  if (!/^\d{1,8}(\.\d{1,2})?$/.test(t)) return null;
  const [whole, frac = ""] = t.split(".");
  const cents = Number(whole) * 100 + Number(frac.padEnd(2, "0"));
  return cents > 0 ? cents : null;
}
