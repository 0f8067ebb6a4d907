// VM placement as Nova does it: filter the hosts that can take the VM, then weigh the rest.
import type { Flavor, Host } from "./catalog.ts";
import type { VmRecord } from "./state.ts";

export interface PlacementRequest {
  flavor: Flavor;
  zone?: string;
  /** VMs of the same group (a cluster) are spread across zones and hosts. */
  group?: string;
}

export interface HostUsage {
  vcpus: number;
  memoryMiB: number;
  diskGiB: number;
}

export class PlacementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlacementError";
  }
}

export function hostUsage(host: Host, vms: VmRecord[], flavors: Map<string, Flavor>): HostUsage {
  const u = { vcpus: 0, memoryMiB: 0, diskGiB: 0 };
  for (const vm of vms) {
    if (vm.hostId !== host.id) continue;
    const f = flavors.get(vm.flavor);
    if (!f) continue;
    u.vcpus += f.vcpus;
    u.memoryMiB += f.memoryMiB;
    u.diskGiB += f.diskGiB;
  }
  return u;
}

type Filter = (h: Host, u: HostUsage, r: PlacementRequest) => boolean;

const FILTERS: Record<string, Filter> = {
  HostUp: (h) => h.up,
  Zone: (h, _u, r) => !r.zone || h.zone === r.zone,
  Cpu: (h, u, r) => h.vcpus * h.cpuAllocationRatio - u.vcpus >= r.flavor.vcpus,
  Ram: (h, u, r) => h.memoryMiB - u.memoryMiB >= r.flavor.memoryMiB,
  Disk: (h, u, r) => h.diskGiB - u.diskGiB >= r.flavor.diskGiB,
};

function gib(mib: number): string {
  return `${Math.round((mib / 1024) * 10) / 10} GiB`;
}

export function placeVm(req: PlacementRequest, hosts: Host[], vms: VmRecord[], flavors: Map<string, Flavor>): Host {
  const candidates = hosts
    .map((h) => ({ h, u: hostUsage(h, vms, flavors) }))
    .filter(({ h, u }) => Object.values(FILTERS).every((f) => f(h, u, req)));
  if (candidates.length === 0) {
    const where = req.zone ? `in zone ${req.zone}` : "in any zone";
    throw new PlacementError(
      `no host ${where} has ${req.flavor.vcpus} vCPU and ${gib(req.flavor.memoryMiB)} free (flavor ${req.flavor.name})`,
    );
  }
  const groupVms = req.group ? vms.filter((v) => v.controlPlaneId === req.group) : [];
  // Zone free RAM: new VMs go to the emptiest zone first (spreads failure domains).
  const zoneFree = new Map<string, number>();
  for (const h of hosts) {
    const u = hostUsage(h, vms, flavors);
    const z = zoneFree.get(h.zone) ?? 0;
    zoneFree.set(h.zone, z + (h.memoryMiB - u.memoryMiB) / h.memoryMiB);
  }
  const weigh = ({ h, u }: { h: Host; u: HostUsage }) => {
    const zoneHosts = hosts.filter((x) => x.zone === h.zone).length || 1;
    const zoneScore = (zoneFree.get(h.zone) ?? 0) / zoneHosts;
    const freeRam = (h.memoryMiB - u.memoryMiB) / h.memoryMiB; // RAMWeigher: spread
    const freeCpu = (h.vcpus * h.cpuAllocationRatio - u.vcpus) / (h.vcpus * h.cpuAllocationRatio);
    const sameHost = groupVms.filter((v) => v.hostId === h.id).length;
    const sameZone = groupVms.filter((v) => v.zone === h.zone).length;
    return freeRam + freeCpu + zoneScore * 2 - sameHost * 4 - sameZone * 2;
  };
  candidates.sort((a, b) => weigh(b) - weigh(a) || a.h.id.localeCompare(b.h.id));
  return (candidates[0] as { h: Host }).h;
}
