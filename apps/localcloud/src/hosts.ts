// Operator view of the hypervisor hosts: allocation and VMs per host, and host states for
// rehearsing outages. `down` stops every VM of the host (their nodes go NotReady; Nuage's
// reconcile replaces them elsewhere); `draining` takes no new VMs and cold-migrates the ones it
// holds to other hosts (same VM id, address and node credentials: the node re-joins); `up` ends both.
import type { Host } from "./catalog.ts";
import type { Cloud } from "./cloud.ts";
import { CloudError, notFound } from "./errors.ts";
import { PlacementError, placeVm } from "./placement.ts";

export type HostState = "up" | "down" | "draining";

export function hostState(h: Host): HostState {
  if (!h.up) return "down";
  return h.draining ? "draining" : "up";
}

/** Hosts with capacity (vCPU after over-commit), allocation and the VMs they hold. */
export function describeHosts(cloud: Cloud) {
  const vms = Object.values(cloud.state.doc.vms);
  return cloud.listHosts().map((h) => ({
    id: h.id,
    region: h.region,
    zone: h.zone,
    state: hostState(h),
    up: h.up,
    capacity: { vcpus: h.vcpus * h.cpuAllocationRatio, memoryMiB: h.memoryMiB, diskGiB: h.diskGiB },
    physicalVcpus: h.vcpus,
    cpuAllocationRatio: h.cpuAllocationRatio,
    used: h.used,
    vmCount: h.vmCount,
    vms: vms
      .filter((v) => v.hostId === h.id)
      .map((v) => ({
        id: v.id,
        name: v.name,
        flavor: v.flavor,
        controlPlaneId: v.controlPlaneId ?? null,
        status: v.status,
        nodeAgent: cloud.agents.phase(v.id).phase,
      })),
  }));
}

function findHost(cloud: Cloud, id: string): Host {
  const host = cloud.state.doc.hosts.find((h) => h.id === id);
  if (!host) throw notFound("host", id);
  return host;
}

/** Moves one VM to the best other host (placement as for a new VM, this host excluded). */
async function migrate(cloud: Cloud, from: Host, vmId: string): Promise<boolean> {
  const vm = cloud.state.doc.vms[vmId];
  if (!vm) return true;
  const others = cloud.state.doc.hosts.filter((h) => h.id !== from.id && !h.draining);
  let target: Host;
  try {
    target = placeVm(
      { flavor: cloud.flavor(vm.flavor), group: vm.controlPlaneId },
      others,
      Object.values(cloud.state.doc.vms).filter((v) => v.id !== vm.id),
      new Map(cloud.listFlavors().map((f) => [f.name, f])),
    );
  } catch (e) {
    if (e instanceof PlacementError) return false;
    throw e;
  }
  await cloud.agents.stop(vm.id, true);
  vm.hostId = target.id;
  vm.zone = target.zone;
  cloud.state.flush();
  if (vm.status === "ACTIVE" && target.up) cloud.agents.start(vm);
  return true;
}

export async function setHostState(cloud: Cloud, id: string, state: HostState) {
  const host = findHost(cloud, id);
  if (!["up", "down", "draining"].includes(state)) {
    throw new CloudError(422, "Invalid", `state: must be up, down or draining (got ${String(state)})`);
  }
  let remaining = 0;
  if (state === "up") {
    host.draining = false;
    await cloud.setHostUp(id, true);
  } else if (state === "down") {
    await cloud.setHostUp(id, false);
  } else {
    host.draining = true;
    cloud.state.save();
    if (!host.up) await cloud.setHostUp(id, true).then(() => undefined);
    host.draining = true;
    for (const vm of Object.values(cloud.state.doc.vms)) {
      if (vm.hostId !== id) continue;
      if (!(await migrate(cloud, host, vm.id))) remaining++;
    }
    cloud.state.save();
  }
  const view = describeHosts(cloud).find((h) => h.id === id);
  return { ...view, remaining };
}

/**
 * Fault injection for rehearsals and tests: while set, every VM create for that control plane
 * fails with 503 ProviderUnavailable (as a cloud whose compute API is down for one project).
 */
export function setVmCreateFault(cloud: Cloud, controlPlaneId: string, on: boolean) {
  if (on) cloud.faults.add(controlPlaneId);
  else cloud.faults.delete(controlPlaneId);
  return { controlPlaneId, vmCreateFails: on };
}
