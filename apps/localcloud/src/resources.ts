// Volumes and load balancers of localcloud: records with idempotent creates, like the rest.
import { regionsOf } from "./catalog.ts";
import { CloudError, notFound } from "./errors.ts";
import type { LoadBalancerRecord, StateStore, VolumeRecord } from "./state.ts";

const now = () => new Date().toISOString();

export class VolumesAndBalancers {
  constructor(private readonly state: StateStore) {}

  createVolume(input: { id: string; name?: string; sizeGiB: number; zone?: string; controlPlaneId?: string }) {
    const existing = this.state.doc.volumes[input.id];
    if (existing) return { created: false, volume: existing };
    const zones = regionsOf(this.state.doc.hosts).flatMap((r) => r.zones);
    const zone = input.zone ?? zones[0] ?? "local-1a";
    if (!zones.includes(zone)) throw new CloudError(422, "InvalidZone", `zone ${zone} does not exist`);
    const vol: VolumeRecord = {
      id: input.id,
      name: input.name ?? input.id,
      sizeGiB: input.sizeGiB,
      zone,
      status: "available",
      controlPlaneId: input.controlPlaneId,
      createdAt: now(),
    };
    this.state.doc.volumes[vol.id] = vol;
    this.state.save();
    return { created: true, volume: vol };
  }

  getVolume(id: string): VolumeRecord {
    const v = this.state.doc.volumes[id];
    if (!v) throw notFound("volume", id);
    return v;
  }

  listVolumes() {
    return Object.values(this.state.doc.volumes);
  }

  attachVolume(id: string, vmId: string | undefined) {
    const vol = this.getVolume(id);
    if (vmId === undefined) {
      vol.attachedTo = undefined;
      vol.status = "available";
    } else {
      const vm = this.state.doc.vms[vmId];
      if (!vm) throw notFound("VM", vmId);
      if (vol.attachedTo && vol.attachedTo !== vmId) {
        throw new CloudError(409, "VolumeInUse", `volume ${id} is attached to VM ${vol.attachedTo}`);
      }
      if (vm.zone !== vol.zone)
        throw new CloudError(409, "ZoneMismatch", `volume ${id} is in ${vol.zone}, VM ${vmId} in ${vm.zone}`);
      vol.attachedTo = vmId;
      vol.status = "in-use";
    }
    this.state.save();
    return vol;
  }

  deleteVolume(id: string): boolean {
    const vol = this.state.doc.volumes[id];
    if (!vol) return false;
    if (vol.attachedTo)
      throw new CloudError(409, "VolumeInUse", `volume ${id} is attached to VM ${vol.attachedTo}; detach it first`);
    delete this.state.doc.volumes[id];
    this.state.save();
    return true;
  }

  createLoadBalancer(input: {
    id: string;
    name?: string;
    controlPlaneId?: string;
    ports?: LoadBalancerRecord["ports"];
  }) {
    const existing = this.state.doc.loadBalancers[input.id];
    if (existing) return { created: false, loadBalancer: existing };
    const n = (this.state.doc.nextLbAddress ?? 1) % 65_000 || 1;
    this.state.doc.nextLbAddress = n + 1;
    const lb: LoadBalancerRecord = {
      id: input.id,
      name: input.name ?? input.id,
      controlPlaneId: input.controlPlaneId,
      ports: input.ports ?? [],
      // 127.<installation>.128-255.x: loopback addresses of this localcloud's own (VMs use the
      // lower half of the same /16), so two localclouds on one machine do not collide on :80.
      address: `127.${this.state.doc.addressBase ?? 2}.${128 + ((n >> 8) & 127)}.${n & 255}`,
      createdAt: now(),
    };
    this.state.doc.loadBalancers[lb.id] = lb;
    this.state.save();
    return { created: true, loadBalancer: lb };
  }

  updateLoadBalancerPorts(id: string, ports: LoadBalancerRecord["ports"]) {
    const lb = this.state.doc.loadBalancers[id];
    if (!lb) throw notFound("load balancer", id);
    lb.ports = ports;
    this.state.save();
    return lb;
  }

  listLoadBalancers() {
    return Object.values(this.state.doc.loadBalancers);
  }

  deleteLoadBalancer(id: string): boolean {
    if (!this.state.doc.loadBalancers[id]) return false;
    delete this.state.doc.loadBalancers[id];
    this.state.save();
    return true;
  }
}
