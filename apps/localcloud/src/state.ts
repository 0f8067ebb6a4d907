// localcloud's durable state: one JSON document under $NUAGE_DATA_DIR/localcloud/, written
// atomically (temp file + rename) shortly after each change, so a restart keeps what exists.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Host } from "./catalog.ts";
import { syncUsageRecords, type UsageRecordEntry } from "./usage.ts";

export interface VmRecord {
  id: string;
  name: string;
  flavor: string;
  zone: string;
  hostId: string;
  controlPlaneId?: string;
  status: "ACTIVE" | "STOPPED" | "ERROR";
  address: string;
  podCIDR: string;
  labels: Record<string, string>;
  createdAt: string;
  /** Node client credentials after TLS bootstrap (the VM's disk, in a real cloud). */
  nodeCredentials?: { clientCertPem: string; clientKeyPem: string };
  serving?: { certPem: string; keyPem: string };
}

export interface VolumeRecord {
  id: string;
  name: string;
  sizeGiB: number;
  zone: string;
  status: "available" | "in-use";
  attachedTo?: string;
  controlPlaneId?: string;
  createdAt: string;
}

export interface LoadBalancerRecord {
  id: string;
  name: string;
  controlPlaneId?: string;
  ports: Array<{ port: number; targetPort: number; protocol: string }>;
  address: string;
  createdAt: string;
}

export interface ControlPlaneRecord {
  id: string;
  name: string;
  version: string;
  port: number;
  etcdPrefix: string;
  serviceCidr: string;
  clusterCidr: string;
  caCertPem: string;
  caKeyPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  serviceAccountKeyPem: string;
  encryptionKeyBase64: string;
  bootstrapToken: { id: string; secret: string };
  createdAt: string;
  podCidrNext: number;
  /** API-server processes: 1, or 3 for an HA control plane (behind a TCP balancer on `port`). */
  replicas?: number;
  /** HA: the ports of the API-server processes (the balancer listens on `port`). */
  backendPorts?: number[];
}

export interface StateDoc {
  hosts: Host[];
  vms: Record<string, VmRecord>;
  volumes: Record<string, VolumeRecord>;
  loadBalancers: Record<string, LoadBalancerRecord>;
  controlPlanes: Record<string, ControlPlaneRecord>;
  nextAddress: number;
  nextLbAddress?: number;
  /** Second octet of this installation's VM addresses (127.<base>.x.y), random so that two
   * localclouds on one machine (parallel tests) rarely pick the same kubelet address. */
  addressBase?: number;
  /** When each resource started and stopped existing (usage.ts): the truth metering fills gaps from. */
  usageRecords?: UsageRecordEntry[];
}

export class StateStore {
  readonly doc: StateDoc;
  private timer: NodeJS.Timeout | undefined;
  private readonly file: string;

  constructor(
    readonly dir: string,
    initialHosts: () => Host[],
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = join(dir, "state.json");
    let doc: StateDoc | undefined;
    try {
      doc = JSON.parse(readFileSync(this.file, "utf8")) as StateDoc;
    } catch {
      doc = undefined;
    }
    this.doc = doc ?? {
      hosts: initialHosts(),
      vms: {},
      volumes: {},
      loadBalancers: {},
      controlPlanes: {},
      nextAddress: 1,
      addressBase: 10 + Math.floor(Math.random() * 240),
    };
    this.flush();
  }

  /** Schedules a write; several changes in a row make one write. */
  save(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, 20);
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    syncUsageRecords(this.doc);
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.doc), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
