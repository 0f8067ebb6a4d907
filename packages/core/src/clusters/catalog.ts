// What the platform advertises before a cluster is created: regions, flavors with their hourly
// price (integer cents), Kubernetes versions. Billing comes later; the estimate uses these prices.

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
  priceCentsHourly: number;
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
  { name: "s-1vcpu-2gb", vcpus: 1, memoryMiB: 2048, diskGiB: 50, priceCentsHourly: 2 },
  { name: "s-2vcpu-4gb", vcpus: 2, memoryMiB: 4096, diskGiB: 80, priceCentsHourly: 4 },
  { name: "s-4vcpu-8gb", vcpus: 4, memoryMiB: 8192, diskGiB: 160, priceCentsHourly: 7 },
  { name: "c-8vcpu-16gb", vcpus: 8, memoryMiB: 16384, diskGiB: 200, priceCentsHourly: 18 },
];

export const VERSIONS: VersionEntry[] = [
  { version: "1.31", patch: "v1.31.4", isDefault: false },
  { version: "1.32", patch: "v1.32.0", isDefault: true },
  { version: "1.33", patch: "v1.33.1", isDefault: false },
];

export const DEFAULT_VERSION = VERSIONS.find((v) => v.isDefault)?.version ?? "1.32";
export const DEFAULT_REGION = "local-1";

/** An HA control plane (three API servers) costs this much per hour; a single one is free. */
export const HA_CONTROL_PLANE_CENTS_HOURLY = 6;
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

export interface EstimateInput {
  haControlPlane?: boolean;
  nodePools: { flavor: string; count: number }[];
}

export interface Estimate {
  hourlyCents: number;
  monthlyCents: number;
  vcpus: number;
  memoryMiB: number;
  nodes: number;
  lines: { item: string; quantity: number; unitCentsHourly: number; hourlyCents: number }[];
}

/** Integer cents only: monthly = hourly × 730. Unknown flavors are refused by validation first. */
export function estimate(input: EstimateInput): Estimate {
  const lines: Estimate["lines"] = [];
  let vcpus = 0;
  let memoryMiB = 0;
  let nodes = 0;
  for (const p of input.nodePools) {
    const f = flavorOf(p.flavor);
    if (!f) continue;
    vcpus += f.vcpus * p.count;
    memoryMiB += f.memoryMiB * p.count;
    nodes += p.count;
    lines.push({
      item: f.name,
      quantity: p.count,
      unitCentsHourly: f.priceCentsHourly,
      hourlyCents: f.priceCentsHourly * p.count,
    });
  }
  if (input.haControlPlane) {
    lines.push({
      item: "ha-control-plane",
      quantity: 1,
      unitCentsHourly: HA_CONTROL_PLANE_CENTS_HOURLY,
      hourlyCents: HA_CONTROL_PLANE_CENTS_HOURLY,
    });
  }
  const hourlyCents = lines.reduce((s, l) => s + l.hourlyCents, 0);
  return { hourlyCents, monthlyCents: hourlyCents * HOURS_PER_MONTH, vcpus, memoryMiB, nodes, lines };
}
