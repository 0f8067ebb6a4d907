// The node agent: the kubelet of one simulated VM. Joins its cluster (TLS bootstrap), registers
// its Node, keeps its Lease and status fresh, runs the pods bound to it and serves the kubelet API.

import { type NodeCredentials, requestNodeCertificate } from "./bootstrap.ts";
import type { Timing } from "./container.ts";
import { KubeClient, type Watch } from "./kubeclient.ts";
import type { ClusterNetwork } from "./net/network.ts";
import { type Flavor, type NodeIdentity, postNodeStatus, registerNode, renewLease } from "./node.ts";
import { type PodObj, PodWorker } from "./pod.ts";
import { startKubeletServer } from "./server.ts";

export interface NodeAgentConfig {
  nodeName: string;
  /** The API server, e.g. https://127.0.0.1:6443 */
  server: string;
  caCertPem: string;
  /** `<id>.<secret>`, used only until the node certificate is signed. */
  bootstrapToken: string;
  /** Node client credentials from a previous join (skips TLS bootstrap when still valid). */
  credentials?: NodeCredentials;
  onCredentials?: (c: NodeCredentials) => void;
  /** The kubelet serving certificate, signed by the cluster CA. */
  servingCertPem: string;
  servingKeyPem: string;
  flavor: Flavor;
  region: string;
  zone: string;
  kubeletVersion: string;
  podCIDR: string;
  /** Loopback address the kubelet API listens on; it is the node's InternalIP. */
  address: string;
  /** 0 picks a free port. */
  port?: number;
  labels?: Record<string, string>;
  providerID?: string;
  leaseDurationSeconds?: number;
  leaseRenewMs?: number;
  statusUpdateMs?: number;
  bootstrapTimeoutMs?: number;
  timing?: Partial<Timing>;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** The cluster's simulated data plane (NodePorts on `address`, pod connections, DNS). */
  network?: ClusterNetwork;
}

const DEFAULT_TIMING: Timing = {
  pullDelayMs: 400,
  backoffInitialMs: 10_000,
  backoffMaxMs: 300_000,
  sleepScale: 1,
  oomDelayMs: 1500,
};

export class NodeAgent {
  private client: KubeClient;
  private workers = new Map<string, PodWorker>();
  private podWatch: Watch | undefined;
  private timers: NodeJS.Timeout[] = [];
  private server: { port: number; close: () => void } | undefined;
  private usedIPs = new Set<string>();
  /** Images pulled on this VM (kept across agent restarts of the same VM object). */
  private images = new Set<string>();
  private since = new Map<string, string>();
  private abort = new AbortController();
  private readonly timing: Timing;
  private identity: NodeIdentity | undefined;
  readonly startTime = new Date().toISOString();
  private running = false;

  constructor(private readonly cfg: NodeAgentConfig) {
    this.client = new KubeClient(cfg.server, { caCertPem: cfg.caCertPem, token: cfg.bootstrapToken });
    this.timing = { ...DEFAULT_TIMING, ...(cfg.timing ?? {}) };
  }

  get nodeName(): string {
    return this.cfg.nodeName;
  }
  get port(): number | undefined {
    return this.server?.port;
  }
  get podCount(): number {
    return this.workers.size;
  }

  private log(msg: string, fields?: Record<string, unknown>): void {
    this.cfg.log?.(msg, { node: this.cfg.nodeName, ...fields });
  }

  /** Joins the cluster and starts serving; resolves once the Node is registered Ready. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.server = await startKubeletServer({
      address: this.cfg.address,
      port: this.cfg.port ?? 0,
      caCertPem: this.cfg.caCertPem,
      serverCertPem: this.cfg.servingCertPem,
      serverKeyPem: this.cfg.servingKeyPem,
      nodeName: this.cfg.nodeName,
      startTime: this.startTime,
      cpuCores: this.cfg.flavor.vcpus,
      memoryBytes: this.cfg.flavor.memoryMiB * 2 ** 20,
      pods: () => this.workers.values(),
    });
    this.cfg.network?.attachNode(this.cfg.address, () => this.workers.values());
    try {
      await this.join();
    } catch (err) {
      this.stop();
      throw err;
    }
  }

  private async join(): Promise<void> {
    let creds = this.cfg.credentials;
    if (creds) {
      this.client.setCredentials({ caCertPem: this.cfg.caCertPem, ...creds });
      try {
        await this.client.get(`/api/v1/nodes/${this.cfg.nodeName}`);
      } catch (err) {
        const code = (err as { code?: number }).code;
        if (code === 401 || code === 403) creds = undefined;
      }
    }
    if (!creds) {
      this.client.setCredentials({ caCertPem: this.cfg.caCertPem, token: this.cfg.bootstrapToken });
      creds = await requestNodeCertificate(this.client, this.cfg.nodeName, {
        timeoutMs: this.cfg.bootstrapTimeoutMs ?? 120_000,
        signal: this.abort.signal,
      });
      this.client.setCredentials({ caCertPem: this.cfg.caCertPem, ...creds });
      this.cfg.onCredentials?.(creds);
      this.log("node certificate signed");
    }
    const id: NodeIdentity = {
      nodeName: this.cfg.nodeName,
      flavor: this.cfg.flavor,
      region: this.cfg.region,
      zone: this.cfg.zone,
      kubeletVersion: this.cfg.kubeletVersion,
      podCIDR: this.cfg.podCIDR,
      address: this.cfg.address,
      port: this.server?.port ?? 10250,
      labels: this.cfg.labels,
      providerID: this.cfg.providerID,
    };
    this.identity = id;
    await registerNode(this.client, id);
    const leaseSeconds = this.cfg.leaseDurationSeconds ?? 40;
    await renewLease(this.client, id.nodeName, leaseSeconds);
    await postNodeStatus(this.client, id, true, this.since);
    this.log("node registered");
    this.every(this.cfg.leaseRenewMs ?? 10_000, () => renewLease(this.client, id.nodeName, leaseSeconds));
    this.every(this.cfg.statusUpdateMs ?? 60_000, async () => {
      try {
        await postNodeStatus(this.client, id, true, this.since);
      } catch (err) {
        // The Node was deleted (kubectl delete node): register it again, as the kubelet does.
        if ((err as { code?: number }).code !== 404) throw err;
        await registerNode(this.client, id);
        await postNodeStatus(this.client, id, true, this.since);
      }
    });
    this.watchPods();
  }

  private every(ms: number, fn: () => Promise<void>): void {
    let busy = false;
    const t = setInterval(() => {
      if (busy) return;
      busy = true;
      fn()
        .catch((err: Error) => this.log("heartbeat failed", { error: err.message }))
        .finally(() => {
          busy = false;
        });
    }, ms);
    this.timers.push(t);
  }

  private watchPods(): void {
    const query = { fieldSelector: `spec.nodeName=${this.cfg.nodeName}` };
    this.podWatch = this.client.listWatch<PodObj>("/api/v1/pods", query, {
      onSync: (items) => {
        const seen = new Set<string>();
        for (const p of items) {
          seen.add(p.metadata.uid ?? "");
          this.upsert(p);
        }
        for (const [uid, w] of this.workers) {
          if (!seen.has(uid)) {
            w.stop();
            this.workers.delete(uid);
          }
        }
      },
      onEvent: (e) => {
        if (e.type === "DELETED") {
          const w = this.workers.get(e.object.metadata.uid ?? "");
          w?.stop();
          this.workers.delete(e.object.metadata.uid ?? "");
          return;
        }
        this.upsert(e.object);
      },
      onError: (err) => this.log("pod watch interrupted", { error: err.message }),
    });
  }

  private upsert(p: PodObj): void {
    const uid = p.metadata.uid ?? "";
    const existing = this.workers.get(uid);
    if (existing) {
      existing.update(p);
      return;
    }
    const w = new PodWorker(p, {
      client: this.client,
      nodeName: this.cfg.nodeName,
      timing: this.timing,
      hostIP: this.cfg.address,
      allocateIP: () => this.allocateIP(),
      releaseIP: (ip) => this.usedIPs.delete(ip),
      reserveIP: (ip) => this.usedIPs.add(ip),
      onGone: (gone) => this.workers.delete(gone),
      network: this.cfg.network,
      images: this.images,
    });
    this.workers.set(uid, w);
    if (p.metadata.deletionTimestamp) {
      void w.terminate();
      return;
    }
    const phase = p.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") return; // finished before this agent started
    w.start();
  }

  private allocateIP(): string {
    const [base, bitsText] = this.cfg.podCIDR.split("/");
    const bits = Number(bitsText ?? 24);
    const octets = (base ?? "10.244.0.0").split(".").map(Number);
    const baseNum = ((octets[0] ?? 0) << 24) | ((octets[1] ?? 0) << 16) | ((octets[2] ?? 0) << 8) | (octets[3] ?? 0);
    const size = 2 ** (32 - bits);
    for (let i = 2; i < size - 1; i++) {
      const n = (baseNum + i) >>> 0;
      const ip = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
      if (!this.usedIPs.has(ip)) {
        this.usedIPs.add(ip);
        return ip;
      }
    }
    throw new Error(`pod CIDR ${this.cfg.podCIDR} is exhausted`);
  }

  /** Stops everything (the VM is stopped or deleted): the node goes NotReady when its lease expires. */
  stop(): void {
    this.running = false;
    this.abort.abort();
    this.podWatch?.stop();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const w of this.workers.values()) w.stop();
    this.workers.clear();
    this.usedIPs.clear();
    this.cfg.network?.detachNode(this.cfg.address);
    this.server?.close();
    this.server = undefined;
    this.client.close();
  }

  /** Best-effort: marks the node NotReady right away before stopping (a clean shutdown). */
  async shutdown(): Promise<void> {
    if (this.identity) {
      await postNodeStatus(this.client, this.identity, false, this.since).catch(() => undefined);
    }
    this.stop();
  }
}
