// The meters of the usage ledger and their base units. Quantities are integers (BigInt in the ledger):
// "<unit>_seconds" is the unit multiplied by the seconds it was held during the window.

export const CLUSTER_METERS = [
  "node_vcpu_seconds",
  "node_memory_mib_seconds",
  "controlplane_seconds",
  "controlplane_ha_seconds",
  "loadbalancer_seconds",
] as const;

export const NAMESPACE_METERS = [
  "cpu_usage_millicore_seconds",
  "cpu_request_millicore_seconds",
  "memory_usage_mib_seconds",
  "memory_request_mib_seconds",
  "storage_mib_seconds",
] as const;

export type ClusterMeter = (typeof CLUSTER_METERS)[number];
export type NamespaceMeter = (typeof NAMESPACE_METERS)[number];
export type Meter = ClusterMeter | NamespaceMeter;
export const METERS: readonly Meter[] = [...CLUSTER_METERS, ...NAMESPACE_METERS];

export function isClusterMeter(m: string): m is ClusterMeter {
  return (CLUSTER_METERS as readonly string[]).includes(m);
}

/** What the usage page and CSV call each meter, and how a quantity converts to a display unit. */
export const METER_INFO: Record<Meter, { label: string; unit: string; divisor: number }> = {
  node_vcpu_seconds: { label: "Node vCPU", unit: "vCPU-hours", divisor: 3600 },
  node_memory_mib_seconds: { label: "Node memory", unit: "GiB-hours", divisor: 1024 * 3600 },
  controlplane_seconds: { label: "Control plane", unit: "hours", divisor: 3600 },
  controlplane_ha_seconds: { label: "HA control plane", unit: "hours", divisor: 3600 },
  loadbalancer_seconds: { label: "Load balancers", unit: "hours", divisor: 3600 },
  cpu_usage_millicore_seconds: { label: "CPU used", unit: "vCPU-hours", divisor: 1000 * 3600 },
  cpu_request_millicore_seconds: { label: "CPU requested", unit: "vCPU-hours", divisor: 1000 * 3600 },
  memory_usage_mib_seconds: { label: "Memory used", unit: "GiB-hours", divisor: 1024 * 3600 },
  memory_request_mib_seconds: { label: "Memory requested", unit: "GiB-hours", divisor: 1024 * 3600 },
  storage_mib_seconds: { label: "Storage", unit: "GiB-hours", divisor: 1024 * 3600 },
};

export type SampleSource = "collector" | "provider";

export interface Sample {
  orgId: string;
  clusterId: string;
  /** "" for cluster-level meters. */
  namespace: string;
  meter: Meter;
  windowStart: Date;
  windowSeconds: number;
  quantity: bigint;
  source: SampleSource;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Start of the aligned window of `seconds` containing `t` (UTC, aligned on the epoch). */
export function windowStartOf(t: Date | number, seconds: number): Date {
  const ms = typeof t === "number" ? t : t.getTime();
  const w = seconds * 1000;
  return new Date(Math.floor(ms / w) * w);
}

export const hourOf = (t: Date | number) => windowStartOf(t, 3600);
export const dayOf = (t: Date | number) => windowStartOf(t, 86_400);

/** First instant of the UTC calendar month containing `t`. */
export function monthOf(t: Date): Date {
  return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1));
}

export function nextMonth(t: Date): Date {
  return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1));
}
