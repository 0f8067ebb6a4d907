// One pod on this node: waits for its volumes, resolves its environment, runs init containers
// then containers, and reports the pod status the way the kubelet does.
import { ContainerSim, type ContainerSpec, parseQuantity, type Timing } from "./container.ts";
import { ConfigError, resolveEnv } from "./env.ts";
import { PodEventRecorder } from "./events.ts";
import type { KubeClient, KubeObj } from "./kubeclient.ts";
import { KubeApiError } from "./kubeclient.ts";
import type { ClusterNetwork } from "./net/network.ts";

export interface PodObj extends KubeObj {
  spec: {
    nodeName?: string;
    restartPolicy?: "Always" | "OnFailure" | "Never";
    containers: ContainerSpec[];
    initContainers?: ContainerSpec[];
    volumes?: Array<{
      name: string;
      persistentVolumeClaim?: { claimName: string };
      configMap?: { name: string; optional?: boolean };
      secret?: { secretName: string; optional?: boolean };
    }>;
  };
  status?: Record<string, unknown> & {
    phase?: string;
    conditions?: Array<{ type: string; status: string; lastTransitionTime?: string }>;
  };
}

export interface PodHost {
  client: KubeClient;
  nodeName: string;
  timing: Timing;
  hostIP: string;
  allocateIP(): string;
  /** Keeps an IP a pod already had (the agent restarted). */
  reserveIP(ip: string): void;
  releaseIP(ip: string): void;
  onGone(uid: string): void;
  /** The cluster's simulated network, for `wget`/`curl`/`nslookup` in containers. */
  network?: Pick<ClusterNetwork, "fetch" | "resolve">;
  /** Images present on the node (IfNotPresent pulls them once per node, as the kubelet). */
  images?: Set<string>;
}

const ts = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");
const VOLUME_RETRY_MS = 2000;
const CONFIG_RETRY_MS = 5000;
const STATUS_RETRY_MS = 2000;

export class PodWorker {
  readonly init: ContainerSim[];
  readonly containers: ContainerSim[];
  private podIP = "";
  private startTime = ts();
  private phase = "Pending";
  private sandboxReady = false;
  private volumesMessage: string | undefined;
  private initIndex = 0;
  private timers = new Set<NodeJS.Timeout>();
  private pushTimer: NodeJS.Timeout | undefined;
  private pushing = false;
  private pushAgain = false;
  private transitions = new Map<string, { status: string; time: string }>();
  private stopped = false;
  private deleting = false;

  constructor(
    private pod: PodObj,
    private readonly host: PodHost,
  ) {
    const policy = pod.spec.restartPolicy ?? "Always";
    const changed = () => this.changed();
    const events = new PodEventRecorder(host.client, host.nodeName, {
      name: pod.metadata.name,
      namespace: pod.metadata.namespace ?? "default",
      uid: pod.metadata.uid ?? "",
    });
    const sim = (c: ContainerSpec, p: "Always" | "OnFailure" | "Never") =>
      new ContainerSim(
        c,
        p,
        host.timing,
        changed,
        (type, reason, message) => events.record(type, reason, message, c.name),
        host.images,
      );
    this.init = (pod.spec.initContainers ?? []).map((c) => sim(c, policy === "Always" ? "OnFailure" : policy));
    this.containers = pod.spec.containers.map((c) => sim(c, policy));
    const network = host.network;
    if (network) {
      for (const c of [...this.init, ...this.containers]) {
        c.net = {
          namespace: this.namespace,
          fetch: (url) => network.fetch(url, { namespace: this.namespace, clientIP: this.podIP || host.hostIP }),
          resolve: (name) => network.resolve(name, this.namespace),
        };
      }
    }
    // After an agent restart, the pod keeps its IP, start time and restart counts.
    const st = pod.status as
      | { podIP?: string; startTime?: string; containerStatuses?: Array<{ name: string; restartCount?: number }> }
      | undefined;
    if (st?.podIP) {
      this.podIP = st.podIP;
      host.reserveIP(st.podIP);
    }
    if (st?.startTime) this.startTime = st.startTime;
    for (const cs of st?.containerStatuses ?? []) {
      const c = this.containers.find((x) => x.spec.name === cs.name);
      if (c && cs.restartCount) c.restartCount = cs.restartCount;
    }
  }

  get uid(): string {
    return this.pod.metadata.uid ?? "";
  }
  get name(): string {
    return this.pod.metadata.name;
  }
  get namespace(): string {
    return this.pod.metadata.namespace ?? "default";
  }
  get object(): PodObj {
    return this.pod;
  }
  /** The pod's IP once its sandbox exists (the data plane finds pods by it). */
  get ip(): string | undefined {
    return this.podIP || undefined;
  }

  container(name: string): ContainerSim | undefined {
    return [...this.containers, ...this.init].find((c) => c.spec.name === name);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
  }

  start(): void {
    void this.prepare();
  }

  update(pod: PodObj): void {
    this.pod = pod;
    if (pod.metadata.deletionTimestamp && !this.deleting) void this.terminate();
  }

  private async prepare(): Promise<void> {
    if (this.stopped) return;
    const blocker = await this.checkVolumes().catch((e: Error) => e.message);
    if (this.stopped) return;
    if (blocker) {
      this.volumesMessage = blocker;
      this.changed();
      this.later(VOLUME_RETRY_MS, () => void this.prepare());
      return;
    }
    this.volumesMessage = undefined;
    if (!this.podIP) this.podIP = this.host.allocateIP();
    this.sandboxReady = true;
    this.changed();
    this.startNext();
  }

  private async checkVolumes(): Promise<string | undefined> {
    for (const v of this.pod.spec.volumes ?? []) {
      if (v.persistentVolumeClaim) {
        const name = v.persistentVolumeClaim.claimName;
        const pvc = await this.getOrUndefined<{ status?: { phase?: string } }>(
          `/api/v1/namespaces/${this.namespace}/persistentvolumeclaims/${name}`,
        );
        if (!pvc) return `persistentvolumeclaim "${name}" not found`;
        if (pvc.status?.phase !== "Bound") return `persistentvolumeclaim "${name}" is not bound`;
      }
      if (v.configMap && !v.configMap.optional) {
        const ok = await this.getOrUndefined(`/api/v1/namespaces/${this.namespace}/configmaps/${v.configMap.name}`);
        if (!ok) return `configmap "${v.configMap.name}" not found`;
      }
      if (v.secret && !v.secret.optional) {
        const ok = await this.getOrUndefined(`/api/v1/namespaces/${this.namespace}/secrets/${v.secret.secretName}`);
        if (!ok) return `secret "${v.secret.secretName}" not found`;
      }
    }
    return undefined;
  }

  private async getOrUndefined<T>(path: string): Promise<T | undefined> {
    try {
      return await this.host.client.get<T>(path);
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 404) return undefined;
      throw err;
    }
  }

  /** Starts the next init container, or all containers once init is done. */
  private startNext(): void {
    if (this.stopped || this.deleting) return;
    const next = this.init[this.initIndex];
    if (next) {
      void this.startContainer(next);
      return;
    }
    for (const c of this.containers) void this.startContainer(c);
  }

  private async startContainer(c: ContainerSim): Promise<void> {
    try {
      const env = await resolveEnv(
        {
          client: this.host.client,
          namespace: this.namespace,
          name: this.name,
          uid: this.uid,
          nodeName: this.pod.spec.nodeName ?? "",
          podIP: this.podIP,
          hostIP: this.host.hostIP,
          labels: this.pod.metadata.labels,
          annotations: this.pod.metadata.annotations as Record<string, string> | undefined,
        },
        c.spec,
      );
      if (!this.stopped) c.start(env);
    } catch (err) {
      if (this.stopped) return;
      if (err instanceof ConfigError) c.configError(err.message);
      this.later(CONFIG_RETRY_MS, () => void this.startContainer(c));
    }
  }

  private changed(): void {
    if (this.stopped) return;
    // Init containers advance as they complete.
    const cur = this.init[this.initIndex];
    if (cur?.exitedOk && (cur.done || this.pod.spec.restartPolicy !== "Never")) {
      this.initIndex++;
      this.startNext();
    }
    if (this.pushTimer) return;
    this.pushTimer = setTimeout(() => {
      this.pushTimer = undefined;
      void this.push();
    }, 50);
  }

  private async push(): Promise<void> {
    if (this.pushing) {
      this.pushAgain = true;
      return;
    }
    this.pushing = true;
    try {
      const path = `/api/v1/namespaces/${this.namespace}/pods/${this.name}/status`;
      await this.host.client.mergePatch(path, { status: this.status() });
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 404) {
        this.stop();
        this.host.onGone(this.uid);
      } else if (!this.stopped) {
        // The API server is unreachable (restarting?): report again shortly, never lose a status.
        this.later(STATUS_RETRY_MS, () => this.changed());
      }
    } finally {
      this.pushing = false;
      if (this.pushAgain && !this.stopped) {
        this.pushAgain = false;
        void this.push();
      }
    }
  }

  private condition(type: string, ok: boolean, reason?: string): Record<string, unknown> {
    const status = ok ? "True" : "False";
    const prev = this.transitions.get(type);
    if (!prev || prev.status !== status) this.transitions.set(type, { status, time: ts() });
    return {
      type,
      status,
      lastProbeTime: null,
      lastTransitionTime: this.transitions.get(type)?.time,
      ...(reason && !ok ? { reason } : {}),
    };
  }

  private computePhase(): string {
    const policy = this.pod.spec.restartPolicy ?? "Always";
    if (this.init.some((c) => c.done && !c.exitedOk)) return "Failed";
    if (this.initIndex < this.init.length) return "Pending";
    let waitingFresh = 0;
    let running = 0;
    let restarting = 0;
    let failed = 0;
    let succeeded = 0;
    for (const c of this.containers) {
      if (c.running) running++;
      else if (c.done) c.exitedOk ? succeeded++ : failed++;
      else if ("terminated" in c.lastState || "terminated" in c.state) restarting++;
      else waitingFresh++;
    }
    if (waitingFresh > 0) return "Pending";
    if (running > 0 || restarting > 0) return "Running";
    if (policy === "Always") return "Running";
    return failed > 0 ? "Failed" : "Succeeded";
  }

  status(): Record<string, unknown> {
    this.phase = this.computePhase();
    const initialized = this.initIndex >= this.init.length;
    const containersReady = initialized && this.containers.every((c) => c.ready);
    const terminal = this.phase === "Succeeded" || this.phase === "Failed";
    const conditions = [
      this.condition("PodReadyToStartContainers", this.sandboxReady),
      this.condition("Initialized", initialized, "ContainersNotInitialized"),
      this.condition("Ready", containersReady && !terminal, terminal ? "PodCompleted" : "ContainersNotReady"),
      this.condition("ContainersReady", containersReady && !terminal, terminal ? "PodCompleted" : "ContainersNotReady"),
      this.condition("PodScheduled", true),
    ];
    const containerStatuses = this.containers.map((c) => c.status());
    const st: Record<string, unknown> = {
      phase: this.phase,
      conditions,
      hostIP: this.host.hostIP,
      hostIPs: [{ ip: this.host.hostIP }],
      startTime: this.startTime,
      containerStatuses,
      qosClass: this.qosClass(),
    };
    if (this.podIP) {
      st.podIP = this.podIP;
      st.podIPs = [{ ip: this.podIP }];
    }
    if (this.init.length > 0) st.initContainerStatuses = this.init.map((c) => c.status());
    return st;
  }

  private qosClass(): string {
    const all = [...this.containers, ...this.init].map((c) => c.spec.resources ?? {});
    const hasAny = all.some((r) => Object.keys(r.requests ?? {}).length > 0 || Object.keys(r.limits ?? {}).length > 0);
    if (!hasAny) return "BestEffort";
    const guaranteed = all.every((r) =>
      ["cpu", "memory"].every((k) => {
        const lim = parseQuantity(r.limits?.[k]);
        const req = parseQuantity(r.requests?.[k]) ?? lim;
        return lim !== undefined && req === lim;
      }),
    );
    return guaranteed ? "Guaranteed" : "Burstable";
  }

  /** Graceful deletion: stop the containers, report it, then remove the pod (grace 0). */
  async terminate(): Promise<void> {
    this.deleting = true;
    for (const c of [...this.init, ...this.containers]) c.stop();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    try {
      if (this.sandboxReady) await this.push();
      const path = `/api/v1/namespaces/${this.namespace}/pods/${this.name}`;
      await this.host.client.delete(path, {
        apiVersion: "v1",
        kind: "DeleteOptions",
        gracePeriodSeconds: 0,
        preconditions: { uid: this.uid },
      });
    } catch (err) {
      if (!(err instanceof KubeApiError && (err.code === 404 || err.code === 409))) {
        this.deleting = false;
        this.later(2000, () => void this.terminate());
        return;
      }
    }
    this.stop();
    this.host.onGone(this.uid);
  }

  /** Forgets the pod (it is gone from the API, or the agent stops). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const c of [...this.init, ...this.containers]) c.stop();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.pushTimer) clearTimeout(this.pushTimer);
    if (this.podIP) this.host.releaseIP(this.podIP);
  }

  /** Volumes still being attached: the containers wait in ContainerCreating. */
  get waitingForVolumes(): string | undefined {
    return this.volumesMessage;
  }
}
