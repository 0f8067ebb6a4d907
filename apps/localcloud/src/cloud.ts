// The embedded cloud: hosts, flavors, VMs, volumes, load balancers and hosted control planes.
// Every create is idempotent on the caller's id; every list shows what exists.
import { appendFileSync } from "node:fs";
import { issueCertificate } from "@nuage/crypto";
import type { KubeClient } from "@nuage/nodeagent";
import { Etcd3 } from "etcd3";
import { defaultHosts, FLAVORS, type Flavor, type Host, type RegionSpec, regionsOf } from "./catalog.ts";
import { ControlPlaneSupervisor, HA_REPLICAS, newControlPlane } from "./controlplanes.ts";
import { CloudError, notFound } from "./errors.ts";
import { hostUsage, PlacementError, placeVm } from "./placement.ts";
import { startClusterProvisioner } from "./provisioner.ts";
import { VolumesAndBalancers } from "./resources.ts";
import type { ControlPlaneRecord, LoadBalancerRecord, VmRecord } from "./state.ts";
import { StateStore } from "./state.ts";
import { startIngressController } from "./traffic/ingress.ts";
import { TrafficPlane } from "./traffic/plane.ts";
import { AgentPool } from "./vms.ts";

export interface CloudOptions {
  dataDir: string;
  etcdUrl: string;
  /** Regions and zones of a new installation (ignored once state exists). Default local-1 a/b/c. */
  regions?: RegionSpec[];
  hostsPerZone?: number;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** Warm control-plane processes kept ready (controlplanes.ts); default $NUAGE_LOCALCLOUD_WARM_POOL or 2 (0 under tests). */
  warmPool?: number;
}

const now = () => new Date().toISOString();
const DEFAULT_VERSION = "v1.32.0";

export class Cloud {
  readonly state: StateStore;
  readonly supervisor: ControlPlaneSupervisor;
  readonly agents: AgentPool;
  readonly resources: VolumesAndBalancers;
  private readonly flavors = new Map<string, Flavor>(FLAVORS.map((f) => [f.name, f]));
  private readonly log: (msg: string, fields?: Record<string, unknown>) => void;
  private readonly provisioners = new Map<string, { stop(): void }>();
  /** Control planes whose VM creates fail (fault injection, hosts.ts). */
  readonly faults = new Set<string>();
  /** Cluster networks and load balancer listeners (traffic/plane.ts). */
  readonly traffic: TrafficPlane;

  constructor(private readonly opts: CloudOptions) {
    this.log = opts.log ?? (() => undefined);
    this.state = new StateStore(opts.dataDir, () => defaultHosts(opts.regions, opts.hostsPerZone));
    this.resources = new VolumesAndBalancers(this.state);
    this.traffic = new TrafficPlane(this.log);
    this.supervisor = new ControlPlaneSupervisor(opts.dataDir, opts.etcdUrl, this.log, {
      warmPool: opts.warmPool,
    });
    this.agents = new AgentPool({
      flavor: (name) => this.flavor(name),
      controlPlane: (id) => this.state.doc.controlPlanes[id],
      region: (zone) => this.state.doc.hosts.find((h) => h.zone === zone)?.region ?? "local-1",
      waitControlPlane: (id) => this.supervisor.waitReady(id, 120_000),
      save: () => this.state.save(),
      log: this.log,
      network: (id) => this.traffic.network(id),
    });
  }

  /** Brings back what existed before a restart: control planes, then the agents of running VMs. */
  resume(): void {
    for (const cp of Object.values(this.state.doc.controlPlanes)) {
      this.supervisor.start(cp);
      this.startProvisioner(cp);
    }
    for (const vm of Object.values(this.state.doc.vms)) {
      if (vm.status === "ACTIVE" && this.hostOf(vm)?.up !== false) this.agents.start(vm);
    }
    this.traffic.syncLoadBalancers(this.resources.listLoadBalancers());
  }

  async close(): Promise<void> {
    for (const p of this.provisioners.values()) p.stop();
    this.provisioners.clear();
    await this.agents.stopAll();
    this.traffic.close();
    await this.supervisor.stopAll();
    this.state.flush();
  }

  // ---- catalog -------------------------------------------------------------------------------
  flavor(name: string): Flavor {
    const f = this.flavors.get(name);
    if (!f)
      throw new CloudError(
        422,
        "InvalidFlavor",
        `flavor ${name} does not exist (known: ${[...this.flavors.keys()].join(", ")})`,
      );
    return f;
  }
  listFlavors(): Flavor[] {
    return [...this.flavors.values()];
  }
  listRegions() {
    return regionsOf(this.state.doc.hosts);
  }
  listHosts() {
    const vms = Object.values(this.state.doc.vms);
    return this.state.doc.hosts.map((h) => ({
      ...h,
      used: hostUsage(h, vms, this.flavors),
      vmCount: vms.filter((v) => v.hostId === h.id).length,
    }));
  }
  private hostOf(vm: VmRecord): Host | undefined {
    return this.state.doc.hosts.find((h) => h.id === vm.hostId);
  }
  async setHostUp(id: string, up: boolean) {
    const host = this.state.doc.hosts.find((h) => h.id === id);
    if (!host) throw notFound("host", id);
    host.up = up;
    this.state.save();
    for (const vm of Object.values(this.state.doc.vms)) {
      if (vm.hostId !== id) continue;
      if (!up) await this.agents.stop(vm.id, false);
      else if (vm.status === "ACTIVE") this.agents.start(vm);
    }
    return this.listHosts().find((h) => h.id === id);
  }

  // ---- control planes ------------------------------------------------------------------------
  async createControlPlane(input: {
    id: string;
    name?: string;
    version?: string;
    serviceCidr?: string;
    clusterCidr?: string;
    highAvailability?: boolean;
  }) {
    const existing = this.state.doc.controlPlanes[input.id];
    if (existing) return { created: false, controlPlane: this.describeControlPlane(existing) };
    const cp = await newControlPlane({
      id: input.id,
      name: input.name ?? input.id,
      version: input.version ?? DEFAULT_VERSION,
      serviceCidr: input.serviceCidr,
      clusterCidr: input.clusterCidr,
    });
    // A concurrent retry may have created it while the keys were being generated.
    const raced = this.state.doc.controlPlanes[input.id];
    if (raced) return { created: false, controlPlane: this.describeControlPlane(raced) };
    if (input.highAvailability) cp.replicas = HA_REPLICAS;
    this.state.doc.controlPlanes[cp.id] = cp;
    this.state.flush();
    this.supervisor.start(cp);
    this.startProvisioner(cp);
    return { created: true, controlPlane: this.describeControlPlane(cp) };
  }

  private startProvisioner(cp: ControlPlaneRecord): void {
    const backend = {
      createVolume: (id: string, sizeGiB: number) => {
        this.resources.createVolume({ id, sizeGiB, controlPlaneId: cp.id });
      },
      deleteVolume: (id: string) => {
        if (this.state.doc.volumes[id]) {
          delete this.state.doc.volumes[id];
          this.state.save();
        }
      },
      listVolumes: () =>
        Object.values(this.state.doc.volumes)
          .filter((v) => v.controlPlaneId === cp.id)
          .map((v) => v.id),
    };
    const syncLbs = () => this.traffic.syncLoadBalancers(this.resources.listLoadBalancers());
    const lbBackend = {
      create: (id: string, name: string, ports: LoadBalancerRecord["ports"]) => {
        const lb = this.resources.createLoadBalancer({ id, name, controlPlaneId: cp.id, ports }).loadBalancer;
        syncLbs();
        return lb;
      },
      update: (id: string, ports: LoadBalancerRecord["ports"]) => {
        this.resources.updateLoadBalancerPorts(id, ports);
        syncLbs();
      },
      delete: (id: string) => {
        this.resources.deleteLoadBalancer(id);
        syncLbs();
      },
      list: () => this.resources.listLoadBalancers().filter((lb) => lb.controlPlaneId === cp.id),
      network: this.traffic.network(cp.id),
      // The cluster's ingress controller, on an address of its own (a load balancer record).
      extra: (client: KubeClient) =>
        startIngressController({
          client,
          network: this.traffic.network(cp.id),
          address: this.resources.createLoadBalancer({
            id: `ingress-${cp.id}`,
            name: `${cp.name} ingress`,
            controlPlaneId: cp.id,
            ports: [],
          }).loadBalancer.address,
          log: this.log,
        }),
    };
    this.provisioners.set(
      cp.id,
      startClusterProvisioner(cp, () => this.supervisor.waitReady(cp.id, 300_000), backend, this.log, lbBackend),
    );
  }

  /**
   * In-place changes: a new version restarts the API-server processes on it (one at a time when
   * HA; same etcd prefix, so the cluster's data stays), `highAvailability` switches between one
   * process and three behind the balancer. Answers at once with status Upgrading; idempotent.
   */
  async updateControlPlane(id: string, input: { version?: string; highAvailability?: boolean }) {
    const cp = this.getControlPlane(id);
    let changed = false;
    if (input.version && input.version !== cp.version) {
      cp.version = input.version;
      changed = true;
    }
    const replicas =
      input.highAvailability === undefined ? (cp.replicas ?? 1) : input.highAvailability ? HA_REPLICAS : 1;
    if (replicas !== (cp.replicas ?? 1)) {
      cp.replicas = replicas;
      changed = true;
    }
    if (changed) {
      this.state.flush();
      this.supervisor.reconfigure(cp).then(
        () => this.state.save(),
        (e: Error) => this.log("control plane change failed", { controlPlane: id, error: e.message }),
      );
    }
    return this.describeControlPlane(cp);
  }

  describeControlPlane(cp: ControlPlaneRecord) {
    const rt = this.supervisor.phase(cp.id);
    return {
      id: cp.id,
      name: cp.name,
      version: cp.version,
      /** Versions the ready API-server processes run (one once an upgrade is done). */
      runningVersions: rt.runningVersions,
      highAvailability: (cp.replicas ?? 1) > 1,
      replicas: rt.replicas,
      endpoint: `https://127.0.0.1:${cp.port}`,
      caCertPem: cp.caCertPem,
      serviceCidr: cp.serviceCidr,
      clusterCidr: cp.clusterCidr,
      etcdPrefix: cp.etcdPrefix,
      status: rt.phase,
      restarts: rt.restarts,
      lastExit: rt.lastExit,
      pid: this.supervisor.pid(cp.id),
      pids: this.supervisor.pids(cp.id),
      createdAt: cp.createdAt,
    };
  }

  getControlPlane(id: string): ControlPlaneRecord {
    const cp = this.state.doc.controlPlanes[id];
    if (!cp) throw notFound("control plane", id);
    return cp;
  }

  listControlPlanes() {
    return Object.values(this.state.doc.controlPlanes).map((cp) => this.describeControlPlane(cp));
  }

  async deleteControlPlane(id: string): Promise<boolean> {
    const cp = this.state.doc.controlPlanes[id];
    if (!cp) return false;
    this.provisioners.get(id)?.stop();
    this.provisioners.delete(id);
    for (const vm of Object.values(this.state.doc.vms)) if (vm.controlPlaneId === id) await this.deleteVm(vm.id);
    for (const vol of Object.values(this.state.doc.volumes))
      if (vol.controlPlaneId === id) delete this.state.doc.volumes[vol.id];
    for (const lb of Object.values(this.state.doc.loadBalancers))
      if (lb.controlPlaneId === id) delete this.state.doc.loadBalancers[lb.id];
    this.traffic.syncLoadBalancers(this.resources.listLoadBalancers());
    this.traffic.dropNetwork(id);
    await this.supervisor.stop(id);
    const etcd = new Etcd3({ hosts: this.opts.etcdUrl });
    try {
      await etcd.delete().prefix(cp.etcdPrefix);
    } finally {
      etcd.close();
    }
    delete this.state.doc.controlPlanes[id];
    this.state.flush();
    return true;
  }

  /** Issues a client certificate for one user; the private key is returned once, never stored. */
  async issueCredentials(id: string, input: { user: string; groups?: string[]; ttlSeconds?: number }) {
    const cp = this.getControlPlane(id);
    const ttl = input.ttlSeconds ?? 86_400;
    const cert = await issueCertificate({
      ca: { certPem: cp.caCertPem, keyPem: cp.caKeyPem },
      commonName: input.user,
      organizations: input.groups ?? [],
      usage: "client",
      validityMs: ttl * 1000,
    });
    return {
      user: input.user,
      groups: input.groups ?? [],
      serialNumber: cert.serialNumber,
      notAfter: cert.notAfter.toISOString(),
      clientCertPem: cert.certPem,
      clientKeyPem: cert.keyPem,
      caCertPem: cp.caCertPem,
      endpoint: `https://127.0.0.1:${cp.port}`,
    };
  }

  revokeCredential(id: string, serialNumber: string) {
    this.getControlPlane(id);
    appendFileSync(this.supervisor.revocationFile(id), `${serialNumber.toLowerCase()}\n`, { mode: 0o600 });
    return { serialNumber: serialNumber.toLowerCase(), revoked: true };
  }

  // ---- VMs -----------------------------------------------------------------------------------
  createVm(input: {
    id: string;
    name?: string;
    flavor: string;
    zone?: string;
    controlPlaneId?: string;
    labels?: Record<string, string>;
  }) {
    const existing = this.state.doc.vms[input.id];
    if (existing) return { created: false, vm: this.describeVm(existing) };
    const flavor = this.flavor(input.flavor);
    let cp: ControlPlaneRecord | undefined;
    if (input.controlPlaneId) cp = this.getControlPlane(input.controlPlaneId);
    if (input.controlPlaneId && this.faults.has(input.controlPlaneId)) {
      throw new CloudError(503, "ProviderUnavailable", "the compute service is unavailable (injected fault)");
    }
    if (input.zone && !this.state.doc.hosts.some((h) => h.zone === input.zone)) {
      throw new CloudError(422, "InvalidZone", `zone ${input.zone} does not exist`);
    }
    let host: Host;
    try {
      host = placeVm(
        { flavor, zone: input.zone, group: input.controlPlaneId },
        this.state.doc.hosts.filter((h) => !h.draining),
        Object.values(this.state.doc.vms),
        this.flavors,
      );
    } catch (err) {
      if (err instanceof PlacementError) throw new CloudError(409, "InsufficientCapacity", err.message);
      throw err;
    }
    const n = this.state.doc.nextAddress++;
    let podCIDR = "";
    if (cp) {
      const [a, b] = cp.clusterCidr.split(".");
      podCIDR = `${a}.${b}.${cp.podCidrNext++}.0/24`;
    }
    const vm: VmRecord = {
      id: input.id,
      name: input.name ?? input.id,
      flavor: flavor.name,
      zone: host.zone,
      hostId: host.id,
      controlPlaneId: cp?.id,
      status: "ACTIVE",
      address: `127.${this.state.doc.addressBase ?? 1}.${(n >> 8) & 255}.${n & 255}`,
      podCIDR,
      labels: input.labels ?? {},
      createdAt: now(),
    };
    this.state.doc.vms[vm.id] = vm;
    this.state.flush();
    this.agents.start(vm);
    return { created: true, vm: this.describeVm(vm) };
  }

  describeVm(vm: VmRecord) {
    const agent = this.agents.phase(vm.id);
    return {
      id: vm.id,
      name: vm.name,
      flavor: vm.flavor,
      zone: vm.zone,
      hostId: vm.hostId,
      hostUp: this.hostOf(vm)?.up !== false,
      controlPlaneId: vm.controlPlaneId,
      status: vm.status,
      address: vm.address,
      podCIDR: vm.podCIDR,
      labels: vm.labels,
      nodeAgent: agent,
      createdAt: vm.createdAt,
    };
  }

  getVm(id: string): VmRecord {
    const vm = this.state.doc.vms[id];
    if (!vm) throw notFound("VM", id);
    return vm;
  }

  listVms(filter: { controlPlaneId?: string } = {}) {
    return Object.values(this.state.doc.vms)
      .filter((v) => !filter.controlPlaneId || v.controlPlaneId === filter.controlPlaneId)
      .map((v) => this.describeVm(v));
  }

  async vmAction(id: string, action: "stop" | "start") {
    const vm = this.getVm(id);
    if (action === "stop" && vm.status !== "STOPPED") {
      vm.status = "STOPPED";
      this.state.save();
      await this.agents.stop(vm.id, true);
    } else if (action === "start" && vm.status !== "ACTIVE") {
      vm.status = "ACTIVE";
      this.state.save();
      if (this.hostOf(vm)?.up !== false) this.agents.start(vm);
    }
    return this.describeVm(vm);
  }

  async deleteVm(id: string): Promise<boolean> {
    const vm = this.state.doc.vms[id];
    if (!vm) return false;
    await this.agents.stop(id, true);
    for (const vol of Object.values(this.state.doc.volumes)) {
      if (vol.attachedTo === id) {
        vol.attachedTo = undefined;
        vol.status = "available";
      }
    }
    delete this.state.doc.vms[id];
    this.state.flush();
    return true;
  }
}
