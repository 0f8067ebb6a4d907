// Regions, zones, flavors and hypervisor hosts of the embedded cloud.

export interface Flavor {
  name: string;
  vcpus: number;
  memoryMiB: number;
  diskGiB: number;
}

export interface Host {
  id: string;
  zone: string;
  region: string;
  vcpus: number;
  memoryMiB: number;
  diskGiB: number;
  /** Over-commit of vCPUs, as Nova's cpu_allocation_ratio. */
  cpuAllocationRatio: number;
  up: boolean;
  /** Taking no new VMs while its VMs move elsewhere (hosts.ts). */
  draining?: boolean;
}

export const FLAVORS: Flavor[] = [
  { name: "s-1vcpu-2gb", vcpus: 1, memoryMiB: 2048, diskGiB: 50 },
  { name: "s-2vcpu-4gb", vcpus: 2, memoryMiB: 4096, diskGiB: 80 },
  { name: "s-4vcpu-8gb", vcpus: 4, memoryMiB: 8192, diskGiB: 160 },
  { name: "c-8vcpu-16gb", vcpus: 8, memoryMiB: 16384, diskGiB: 200 },
];

export interface RegionSpec {
  name: string;
  zones: string[];
}

export const DEFAULT_REGIONS: RegionSpec[] = [{ name: "local-1", zones: ["local-1a", "local-1b", "local-1c"] }];

/**
 * Three hosts per zone of 64 vCPU (x4 over-commit) and 512 GiB: 9 hosts hold 2,304 vCPU and
 * 4.5 TiB, so 100 clusters of 3 x s-2vcpu-4gb (600 vCPU, 1.2 TiB) fit with room to spare.
 */
export function defaultHosts(regions: RegionSpec[] = DEFAULT_REGIONS, perZone = 3): Host[] {
  const hosts: Host[] = [];
  for (const r of regions) {
    for (const zone of r.zones) {
      for (let i = 1; i <= perZone; i++) {
        hosts.push({
          id: `${zone}-hv${i}`,
          zone,
          region: r.name,
          vcpus: 64,
          memoryMiB: 512 * 1024,
          diskGiB: 8192,
          cpuAllocationRatio: 4,
          up: true,
        });
      }
    }
  }
  return hosts;
}

/** Parses `local-1:local-1a,local-1b;local-2:local-2a` (regions separated by `;`). */
export function parseRegions(text: string): RegionSpec[] {
  const regions = text
    .split(";")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [name, zones] = part.split(":");
      const list = (zones ?? "")
        .split(",")
        .map((z) => z.trim())
        .filter(Boolean);
      if (!name?.trim() || list.length === 0) {
        throw new Error(`NUAGE_LOCALCLOUD_REGIONS: "${part}" must look like region:zone1,zone2`);
      }
      return { name: name.trim(), zones: list };
    });
  if (regions.length === 0) throw new Error("NUAGE_LOCALCLOUD_REGIONS: at least one region is required");
  return regions;
}

export function regionsOf(hosts: Host[]): Array<{ name: string; zones: string[] }> {
  const byRegion = new Map<string, Set<string>>();
  for (const h of hosts) {
    const set = byRegion.get(h.region) ?? new Set<string>();
    set.add(h.zone);
    byRegion.set(h.region, set);
  }
  return [...byRegion].map(([name, zones]) => ({ name, zones: [...zones].sort() }));
}
