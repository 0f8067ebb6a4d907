// One simulated container: image pull, run of the image's program, exit, restart with back-off,
// logs and usage. Everything is driven by timers; nothing polls.
import { randomBytes } from "node:crypto";
import { commandOutput, imageId, parseImage, profileFor, pullError } from "./images.ts";
import { defaultPorts, respond, type SimRequest, type SimResponse } from "./net/http.ts";
import { LoadMeter } from "./net/load.ts";
import { type Program, parseProgram, type Step } from "./script.ts";

export interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: Record<string, unknown> }>;
  envFrom?: Array<Record<string, unknown>>;
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  volumeMounts?: unknown[];
  ports?: Array<{ containerPort: number; name?: string; protocol?: string }>;
  imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
  /** `kubectl run -it`: the process reads a terminal (an interactive shell waits for `attach`). */
  stdin?: boolean;
  tty?: boolean;
}

export interface Probe {
  initialDelaySeconds?: number;
  periodSeconds?: number;
  failureThreshold?: number;
}

export interface Timing {
  pullDelayMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Multiplies `sleep N` of scripts (tests use < 1). */
  sleepScale: number;
  oomDelayMs: number;
}

type State =
  | { waiting: { reason: string; message?: string } }
  | { running: { startedAt: string } }
  | {
      terminated: {
        exitCode: number;
        reason: string;
        startedAt: string;
        finishedAt: string;
        containerID: string;
        message?: string;
      };
    };

export interface LogLine {
  time: Date;
  text: string;
}

const MAX_LOG_LINES = 2000;
/** The cluster DNS service address busybox's nslookup names (kube-dns's usual ClusterIP). */
const DNS_SERVER = "10.96.0.10";
/** The shortest time one simulated wget/curl takes. */
const MIN_REQUEST_MS = 20;
const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

export function parseQuantity(q: string | undefined): number | undefined {
  if (q === undefined || q === null) return undefined;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(q).trim());
  if (!m) return undefined;
  const n = Number.parseFloat(m[1] ?? "0");
  const unit = m[2] ?? "";
  const bin: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  const dec: Record<string, number> = { m: 1e-3, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, "": 1 };
  if (unit in bin) return n * (bin[unit] as number);
  if (unit in dec) return n * (dec[unit] as number);
  return undefined;
}

const noise = (base: number) => base * (0.9 + Math.random() * 0.2);

export class ContainerSim {
  state: State = { waiting: { reason: "ContainerCreating" } };
  lastState: State | Record<string, never> = {};
  restartCount = 0;
  ready = false;
  containerID = "";
  logs: LogLine[] = [];
  previousLogs: LogLine[] = [];
  /** Exited for good (no restart will follow). */
  done = false;
  private timers = new Set<NodeJS.Timeout>();
  private backoffMs = 0;
  private starts = 0;
  private exits = 0;
  private readonly followers = new Map<(l: LogLine) => void, () => void>();
  private readonly program: Program;
  private readonly profile;
  private env: Record<string, string> = {};
  private stopped = false;
  /** Requests served recently: their CPU cost shows in usage(). */
  readonly load = new LoadMeter();
  /** The cluster network as seen from this container's pod (set by the pod). */
  net?: {
    namespace: string;
    fetch(url: string): Promise<{ status: number; body: string } | { error: string }>;
    resolve(host: string): { ip: string } | { cname: string } | undefined;
  };
  private lastStatus = 0;

  constructor(
    readonly spec: ContainerSpec,
    private readonly restartPolicy: "Always" | "OnFailure" | "Never",
    private readonly timing: Timing,
    private readonly onChange: () => void,
    private readonly onEvent: (type: "Normal" | "Warning", reason: string, message: string) => void = () => undefined,
    /** Images this node has pulled (shared by its pods): IfNotPresent skips pulling them again. */
    private readonly images?: Set<string>,
  ) {
    this.profile = profileFor(spec.image);
    this.program = parseProgram(spec.command, spec.args);
  }

  /**
   * A shell with stdin open and nothing to run (`kubectl run -it x --image=busybox -- sh`): it
   * waits for input from `kubectl attach` instead of exiting, until endInteractive().
   */
  get interactive(): boolean {
    if (!this.spec.stdin || this.profile.mode !== "command") return false;
    const argv = [...(this.spec.command ?? []), ...(this.spec.args ?? [])];
    if (argv.length === 0) return true;
    const bin = (argv[0] ?? "").split("/").pop() ?? "";
    return argv.length === 1 && ["sh", "bash", "ash", "dash", "zsh"].includes(bin);
  }

  /** The attached shell exited (`exit N` typed): the container ends with that code. */
  endInteractive(code: number): void {
    if (this.interactive) this.exit(code);
  }

  /** The container's resolved environment (what `kubectl exec … env` prints). */
  get environment(): Record<string, string> {
    return { ...this.env };
  }

  get running(): boolean {
    return "running" in this.state;
  }
  get exitedOk(): boolean {
    return "terminated" in this.state && this.state.terminated.exitCode === 0;
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private log(text: string): void {
    const line = { time: new Date(), text };
    this.logs.push(line);
    if (this.logs.length > MAX_LOG_LINES) this.logs.shift();
    for (const f of this.followers.keys()) f(line);
  }

  /**
   * An HTTP request reaching the container (a Service, an Ingress, `kubectl port-forward` or the
   * API server's proxy): a serving image answers as its server would (net/http.ts) and logs its
   * access line; each request also costs CPU (net/load.ts). Other images refuse it.
   */
  handleRequest(req: SimRequest): SimResponse {
    if (!this.running || this.profile.mode !== "serve") {
      return {
        status: 502,
        headers: {},
        body: `dial tcp: connect: connection refused (container ${this.spec.name})\n`,
      };
    }
    const r = respond(this.spec.image, req);
    this.load.hit();
    if (r.accessLog) this.log(r.accessLog);
    return r;
  }

  /** Whether the container accepts connections on this port now (running, serving, listening there). */
  listensOn(port: number): boolean {
    if (!this.running || this.profile.mode !== "serve") return false;
    const declared = this.spec.ports?.map((p) => p.containerPort) ?? [];
    if (declared.includes(port)) return true;
    const own = defaultPorts(this.spec.image);
    return own ? own.includes(port) : true;
  }

  /** Streams new lines to fn until the container instance ends (then onEnd) or the caller stops. */
  follow(fn: (l: LogLine) => void, onEnd: () => void): () => void {
    this.followers.set(fn, onEnd);
    return () => this.followers.delete(fn);
  }

  private endFollowers(): void {
    const ends = [...this.followers.values()];
    this.followers.clear();
    for (const end of ends) end();
  }

  /** The pod could not build this container's config (missing ConfigMap/Secret key). */
  configError(message: string): void {
    this.state = { waiting: { reason: "CreateContainerConfigError", message } };
    this.onEvent("Warning", "Failed", `Error: ${message}`);
    this.onChange();
  }

  /** Starts (or restarts) the container with its resolved environment. */
  start(env: Record<string, string>): void {
    if (this.stopped) return;
    this.env = env;
    const err = pullError(this.spec.image);
    const policy =
      this.spec.imagePullPolicy ?? (parseImage(this.spec.image).tag === "latest" ? "Always" : "IfNotPresent");
    if (!err && policy !== "Always" && this.images?.has(this.spec.image)) {
      // As the kubelet: no pull, no delay, one event saying so.
      this.onEvent("Normal", "Pulled", `Container image "${this.spec.image}" already present on machine`);
      this.run();
      return;
    }
    this.onEvent("Normal", "Pulling", `Pulling image "${this.spec.image}"`);
    if (err) {
      this.state = { waiting: { reason: "ErrImagePull", message: err } };
      this.onEvent("Warning", "Failed", `Failed to pull image "${this.spec.image}": ${err}`);
      this.onEvent("Warning", "Failed", "Error: ErrImagePull");
      this.onChange();
      const delay = this.nextBackoff();
      this.later(Math.min(1000, delay / 2), () => {
        this.state = {
          waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${this.spec.image}"` },
        };
        this.onEvent("Normal", "BackOff", `Back-off pulling image "${this.spec.image}"`);
        this.onEvent("Warning", "Failed", "Error: ImagePullBackOff");
        this.onChange();
      });
      this.later(delay, () => this.start(this.env));
      return;
    }
    const pulledAt = Date.now();
    this.later(this.timing.pullDelayMs, () => {
      this.images?.add(this.spec.image);
      const ms = Date.now() - pulledAt;
      this.onEvent(
        "Normal",
        "Pulled",
        `Successfully pulled image "${this.spec.image}" in ${ms}ms (${ms}ms including waiting)`,
      );
      this.run();
    });
  }

  private nextBackoff(): number {
    this.backoffMs =
      this.backoffMs === 0 ? this.timing.backoffInitialMs : Math.min(this.backoffMs * 2, this.timing.backoffMaxMs);
    return this.backoffMs;
  }

  private run(): void {
    this.containerID = `containerd://${randomBytes(32).toString("hex")}`;
    if (this.starts > 0) {
      // A new instance of the container: the old one's logs become --previous.
      this.previousLogs = this.logs;
      this.logs = [];
      this.restartCount++;
    }
    this.starts++;
    const startedAt = now();
    this.onEvent("Normal", "Created", `Created container ${this.spec.name}`);
    this.onEvent("Normal", "Started", `Started container ${this.spec.name}`);
    this.state = { running: { startedAt } };
    this.ready = false;
    for (const l of this.profile.startupLogs) this.log(l);
    for (const l of commandOutput(this.spec.image, [...(this.spec.command ?? []), ...(this.spec.args ?? [])])) {
      this.log(l);
    }
    this.onChange();
    this.startProbes();
    const limit = parseQuantity(this.spec.resources?.limits?.memory);
    if (limit !== undefined && this.profile.memoryMiB * 2 ** 20 > limit) {
      // The process grows past its cgroup limit while starting: the kernel kills it.
      this.later(this.timing.oomDelayMs, () => this.exit(137, "OOMKilled"));
      return;
    }
    if (this.profile.mode === "command" && !this.interactive) this.runSteps(0);
  }

  /**
   * Probes succeed, except for images the profile rule marks: a tag containing `notready` never
   * passes its readiness probe, one containing `unhealthy` fails its liveness probe and is
   * restarted (after initialDelaySeconds + periodSeconds x failureThreshold, as upstream).
   */
  private startProbes(): void {
    const tag = parseImage(this.spec.image).tag;
    const scale = 1000 * this.timing.sleepScale;
    const rp = this.spec.readinessProbe;
    if (rp && tag.includes("notready")) {
      const after = ((rp.initialDelaySeconds ?? 0) + (rp.periodSeconds ?? 10)) * scale;
      this.later(after, () => {
        this.onEvent("Warning", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503");
      });
    } else {
      const delay = (rp?.initialDelaySeconds ?? 0) * scale;
      if (delay > 0) this.later(delay, () => this.setReady());
      else this.setReady();
    }
    const lp = this.spec.livenessProbe;
    if (lp && tag.includes("unhealthy")) {
      const after = ((lp.initialDelaySeconds ?? 0) + (lp.periodSeconds ?? 10) * (lp.failureThreshold ?? 3)) * scale;
      this.later(after, () => {
        this.onEvent("Warning", "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500");
        this.onEvent("Normal", "Killing", `Container ${this.spec.name} failed liveness probe, will be restarted`);
        this.exit(137, "Error");
      });
    }
  }

  private setReady(): void {
    if (!this.running) return;
    this.ready = true;
    this.onChange();
  }

  private expand(text: string): string {
    return text.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, v: string) => this.env[v] ?? "");
  }

  private runSteps(i: number): void {
    const steps = this.program.steps;
    for (; i < steps.length; i++) {
      const step = steps[i];
      if (!step) break;
      if (step.op === "echo") this.log(this.expand(step.text));
      else if (step.op === "exit") {
        this.exit(step.code);
        return;
      } else if (step.op === "sleep") {
        const next = i + 1;
        this.later(step.seconds * 1000 * this.timing.sleepScale, () => this.runSteps(next));
        return;
      } else if (step.op === "fetch" || step.op === "nslookup") {
        this.runNetworkStep(step, i);
        return;
      }
    }
    if (this.program.loop && steps.length > 0) {
      this.later(Math.max(10, 0), () => this.runSteps(0));
      return;
    }
    if (this.program.forever) return;
    this.exit(this.lastStatus);
  }

  /** `wget`/`curl`/`nslookup` through the cluster's simulated network, then the next step. */
  private runNetworkStep(step: Extract<Step, { op: "fetch" | "nslookup" }>, i: number): void {
    const instance = this.starts;
    const began = Date.now();
    const last = i === this.program.steps.length - 1 && !this.program.loop;
    const proceed = (status: number) => {
      if (this.stopped || !this.running || this.starts !== instance) return;
      this.lastStatus = last ? status : 0;
      // A request takes a little time, so a tight `while true` loop stays at a sane rate.
      this.later(Math.max(0, MIN_REQUEST_MS - (Date.now() - began)), () => this.runSteps(i + 1));
    };
    if (!this.net) {
      this.log(
        step.op === "nslookup"
          ? `;; connection timed out; no servers could be reached`
          : "wget: network is unreachable",
      );
      proceed(1);
      return;
    }
    if (step.op === "nslookup") {
      const host = this.expand(step.host);
      const r = this.net.resolve(host);
      this.log(`Server:\t\t${DNS_SERVER}`);
      this.log(`Address:\t${DNS_SERVER}:53`);
      this.log("");
      if (!r) {
        this.log(`** server can't find ${host}: NXDOMAIN`);
        proceed(1);
        return;
      }
      const fqdn =
        host.includes(".svc") || !host.includes(".")
          ? `${host.split(".")[0]}.${host.includes(".") ? host.split(".")[1] : this.net.namespace}.svc.cluster.local`
          : host;
      if ("cname" in r) this.log(`${fqdn}\tcanonical name = ${r.cname}`);
      else {
        this.log(`Name:\t${fqdn}`);
        this.log(`Address: ${r.ip}`);
      }
      this.log("");
      proceed(0);
      return;
    }
    const url = this.expand(step.url);
    void this.net.fetch(url).then((r) => {
      if (this.stopped || !this.running || this.starts !== instance) return;
      if ("error" in r) {
        const host = /^(?:\w+:\/\/)?([^/:]+)/.exec(url)?.[1] ?? url;
        this.log(
          step.tool === "curl"
            ? r.error.startsWith("bad address")
              ? `curl: (6) Could not resolve host: ${host}`
              : `curl: (7) Failed to connect to ${host}: ${r.error}`
            : `wget: ${r.error}`,
        );
        proceed(step.tool === "curl" ? (r.error.startsWith("bad address") ? 6 : 7) : 1);
        return;
      }
      if (step.tool === "wget" && r.status >= 400) {
        if (!step.quiet) this.log(`wget: server returned error: HTTP/1.1 ${r.status}`);
        proceed(1);
        return;
      }
      if (step.toStdout) {
        for (const line of r.body.replace(/\n$/, "").split("\n")) this.log(line);
      } else if (!step.quiet) {
        this.log(`Connecting to ${url}`);
        this.log("saving to 'index.html'");
        this.log("'index.html' saved");
      }
      proceed(0);
    });
  }

  private exit(code: number, reason?: string): void {
    if (!this.running) return;
    this.clearTimers();
    const started = (this.state as { running: { startedAt: string } }).running.startedAt;
    const terminated = {
      exitCode: code,
      reason: reason ?? (code === 0 ? "Completed" : "Error"),
      startedAt: started,
      finishedAt: now(),
      containerID: this.containerID,
    };
    this.ready = false;
    this.endFollowers();
    const restart = this.restartPolicy === "Always" || (this.restartPolicy === "OnFailure" && code !== 0);
    if (!restart) {
      this.state = { terminated };
      this.done = true;
      this.onChange();
      return;
    }
    this.lastState = { terminated };
    this.exits++;
    if (this.exits === 1) {
      // The first restart is immediate, as upstream; back-off starts with the second.
      this.state = { terminated };
      this.onChange();
      this.later(Math.min(this.timing.pullDelayMs, 200), () => this.start(this.env));
      return;
    }
    const delay = this.nextBackoff();
    this.onEvent("Warning", "BackOff", `Back-off restarting failed container ${this.spec.name}`);
    this.state = {
      waiting: {
        reason: "CrashLoopBackOff",
        message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${this.spec.name}`,
      },
    };
    this.onChange();
    this.later(delay, () => this.start(this.env));
  }

  /** Stops the container for good (pod deletion): it exits as after SIGTERM. */
  stop(): void {
    if (this.running) {
      this.onEvent("Normal", "Killing", `Stopping container ${this.spec.name}`);
      const started = (this.state as { running: { startedAt: string } }).running.startedAt;
      this.state = {
        terminated: {
          exitCode: 0,
          reason: "Completed",
          startedAt: started,
          finishedAt: now(),
          containerID: this.containerID,
        },
      };
    }
    this.ready = false;
    this.stopped = true;
    this.clearTimers();
    this.endFollowers();
  }

  usage(): { cpuNanoCores: number; memoryBytes: number } {
    if (!this.running) return { cpuNanoCores: 0, memoryBytes: 0 };
    const limit = parseQuantity(this.spec.resources?.limits?.memory);
    let mem = noise(this.profile.memoryMiB * 2 ** 20 || 2 ** 19);
    if (limit !== undefined) mem = Math.min(mem, limit * 0.98);
    let cpu = noise(this.profile.cpuMillicores * 1e6 || 1e5) + this.load.millicores() * 1e6;
    const cpuLimit = parseQuantity(this.spec.resources?.limits?.cpu);
    if (cpuLimit !== undefined) cpu = Math.min(cpu, cpuLimit * 1e9);
    return { cpuNanoCores: Math.round(cpu), memoryBytes: Math.round(mem) };
  }

  status(): Record<string, unknown> {
    return {
      name: this.spec.name,
      state: this.state,
      lastState: this.lastState,
      ready: this.ready,
      restartCount: this.restartCount,
      image: this.spec.image,
      imageID: this.containerID ? imageId(this.spec.image) : "",
      ...(this.containerID ? { containerID: this.containerID } : {}),
      started: this.running,
    };
  }
}
