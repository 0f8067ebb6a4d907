// The provider-neutral contract the worker drives. Every create is idempotent and keyed by
// Nuage's ids (control plane id = cluster id, machine id = node row id), so a retried step
// never makes a second resource; every provider can list what it holds, for reconcile.

export interface ControlPlaneSpec {
  /** Nuage's cluster id. */
  id: string;
  name: string;
  /** Full Kubernetes version, e.g. v1.32.0. */
  version: string;
  highAvailability: boolean;
}

export interface ControlPlaneInfo {
  id: string;
  name: string;
  version: string;
  endpoint: string;
  caCertPem: string;
  /** Provider words; `ready` is true once the API server answers and no change is in progress. */
  status: string;
  ready: boolean;
  highAvailability: boolean;
}

/** An in-place change of a control plane; fields left out stay as they are. */
export interface ControlPlaneChange {
  /** Upgrade: the API servers restart on this version (full, e.g. v1.33.1) keeping the datastore. */
  version?: string;
  /** HA on (several API servers behind one endpoint, leader-elected controllers) or off. */
  highAvailability?: boolean;
}

export interface MachineSpec {
  /** Nuage's node id. */
  id: string;
  /** Kubernetes node name. */
  name: string;
  clusterId: string;
  flavor: string;
  zone?: string;
  labels?: Record<string, string>;
}

export interface MachineInfo {
  id: string;
  name: string;
  clusterId: string | null;
  flavor: string;
  zone: string;
  /** running | stopped | … (provider words); `host-down`: its host is down, it will not come back by itself */
  status: string;
  /** The node agent joined and reports Ready. */
  ready: boolean;
  labels: Record<string, string>;
}

export interface ResourceInfo {
  id: string;
  clusterId: string | null;
}

export interface IssuedCredential {
  serialNumber: string;
  notAfter: Date;
  clientCertPem: string;
  /** Handed to the user once; never stored by Nuage. */
  clientKeyPem: string;
  caCertPem: string;
  endpoint: string;
}

/** When a resource started and stopped existing at the provider (whole seconds): what metering bills from. */
export interface UsageRecord {
  kind: "machine" | "controlplane" | "volume" | "loadbalancer";
  id: string;
  clusterId: string | null;
  flavor?: string;
  sizeGiB?: number;
  createdAt: Date;
  deletedAt: Date | null;
}

export interface ProviderRegion {
  name: string;
  zones: string[];
}

export interface ProviderFlavor {
  name: string;
  vcpus: number;
  memoryMiB: number;
  diskGiB: number;
}

/** Operator-only (admin console): a hypervisor host and what runs on it. */
export type HostState = "up" | "down" | "draining";

export interface ProviderHost {
  id: string;
  region: string;
  zone: string;
  state: HostState;
  /** Schedulable capacity (vCPU after over-commit) and what the VMs on the host take. */
  capacity: { vcpus: number; memoryMiB: number; diskGiB: number };
  used: { vcpus: number; memoryMiB: number; diskGiB: number };
  machines: { id: string; name: string; flavor: string; clusterId: string | null; status: string }[];
}

export interface Provider {
  readonly name: string;
  regions(): Promise<ProviderRegion[]>;
  flavors(): Promise<ProviderFlavor[]>;

  ensureControlPlane(spec: ControlPlaneSpec): Promise<ControlPlaneInfo>;
  /**
   * `waitReadyMs`: a long poll. The answer may wait that long for the control plane to become ready
   * (then answers at once), so a caller waiting for it learns without polling delay.
   */
  getControlPlane(id: string, opts?: { waitReadyMs?: number }): Promise<ControlPlaneInfo | null>;
  listControlPlanes(): Promise<ControlPlaneInfo[]>;
  /**
   * Starts an in-place change (idempotent: the same change again is a no-op) and returns at once;
   * the control plane is not `ready` until it is done. After an upgrade the cluster's `/version`
   * reports the new version.
   */
  updateControlPlane(id: string, change: ControlPlaneChange): Promise<ControlPlaneInfo>;
  /** Removes the control plane and its datastore keys. Returns false when it did not exist. */
  deleteControlPlane(id: string): Promise<boolean>;

  ensureMachine(spec: MachineSpec): Promise<MachineInfo>;
  getMachine(id: string): Promise<MachineInfo | null>;
  listMachines(filter?: { clusterId?: string }): Promise<MachineInfo[]>;
  deleteMachine(id: string): Promise<boolean>;

  listVolumes(filter?: { clusterId?: string }): Promise<ResourceInfo[]>;
  deleteVolume(id: string): Promise<boolean>;
  listLoadBalancers(filter?: { clusterId?: string }): Promise<ResourceInfo[]>;
  deleteLoadBalancer(id: string): Promise<boolean>;

  issueCredential(
    clusterId: string,
    input: { user: string; groups: string[]; ttlSeconds: number },
  ): Promise<IssuedCredential>;
  revokeCredential(clusterId: string, serialNumber: string): Promise<void>;

  /** The provider's usage records of one cluster: still open, or closed after `since`. */
  usageRecords(filter: { clusterId: string; since?: Date }): Promise<UsageRecord[]>;

  /**
   * Operator-only, optional (a provider without hosts of its own leaves them out): hosts with
   * allocation, and host states to rehearse outages (`down`: its machines stop; `draining`: no
   * new machines, the ones it holds move to other hosts; `up`).
   */
  listHosts?(): Promise<ProviderHost[]>;
  setHostState?(id: string, state: HostState): Promise<ProviderHost>;

  /** Everything the provider holds for one cluster (reconcile and cleanup reports). */
  describe(clusterId: string): Promise<{
    controlPlane: ControlPlaneInfo | null;
    machines: MachineInfo[];
    volumes: ResourceInfo[];
    loadBalancers: ResourceInfo[];
  }>;
}

export class ProviderError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ProviderError";
  }
}
