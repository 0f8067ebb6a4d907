// Hosted control planes: one OS process per tenant cluster (the API server, controllers and
// scheduler of packages/controlplane), supervised and restarted with its state intact in etcd.
import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createCA, issueCertificate } from "@nuage/crypto";
import { ensureControlPlaneBundle } from "../../../packages/controlplane/scripts/bundle.ts";
import type { ControlPlaneRecord } from "./state.ts";
import { TcpBalancer } from "./tcpbalancer.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

const SOURCE_ENTRY = join(REPO_ROOT, "packages/controlplane/src/main.ts");

/**
 * V8 flags of a control-plane process, for density (many idle tenant control planes per host):
 * a 1 MiB young generation (an idle control plane allocates little), a capped old space and GC on
 * the main thread only (no helper threads' buffers). The old-space cap is a ceiling, not a
 * reservation: a control plane holding 5,000 pods and 1,000 Services sits near 256 MiB of heap, so
 * the cap is 1 GiB. Under a pod burst the small young generation costs CPU (GC ≈ 22 % of the
 * control plane's CPU against ≈ 11 % without the cap), the price of idle density. Idle RSS with 3 nodes: no flags 134 MiB,
 * these 85–97 MiB. Measured and rejected: `--no-opt` (82 MiB, but API calls under load 84 ms →
 * 2 s p50) and `--lite-mode` (68 MiB, pod start-up 2.7× slower). NUAGE_CONTROLPLANE_NODE_FLAGS
 * replaces them (space-separated).
 */
const V8_FLAGS = process.env.NUAGE_CONTROLPLANE_NODE_FLAGS?.trim()
  ? process.env.NUAGE_CONTROLPLANE_NODE_FLAGS.trim().split(/\s+/)
  : ["--max-semi-space-size=1", "--max-old-space-size=1024", "--single-threaded-gc"];

function controlPlaneNodeArgs(entry: string): string[] {
  // From sources (fallback / NUAGE_CONTROLPLANE_FROM_SOURCE=1): `node --import tsx`, one process
  // rather than the tsx CLI's two, so killing or supervising it acts on the server itself.
  return entry.endsWith(".ts") ? [...V8_FLAGS, "--import", "tsx", entry] : [...V8_FLAGS, entry];
}

let bundling: Promise<string> | undefined;
let bundledAt = 0;

/** The pre-bundled entry (rebuilt when the sources changed; checked at most once a second). */
function controlPlaneEntry(): Promise<string> {
  if (process.env.NUAGE_CONTROLPLANE_FROM_SOURCE === "1") return Promise.resolve(SOURCE_ENTRY);
  if (!bundling || Date.now() - bundledAt > 1000) {
    bundledAt = Date.now();
    const next = ensureControlPlaneBundle();
    // A failed build is not cached: the next spawn tries again.
    next.catch(() => {
      if (bundling === next) bundling = undefined;
    });
    bundling = next;
  }
  return bundling;
}

export type ControlPlanePhase = "Starting" | "Running" | "Restarting" | "Upgrading" | "Stopped";

/** One API-server process (a single control plane has one; an HA one three). */
interface Instance {
  index: number;
  port: number;
  child?: ChildProcess;
  phase: ControlPlanePhase;
  /** The version the running process was started with. */
  version?: string;
  restarts: number;
  lastExit?: string;
  timer?: NodeJS.Timeout;
  waiters: Array<() => void>;
  stopping: boolean;
  /** A spawn is waiting for the bundle. */
  spawning?: boolean;
}

/** A control plane: its instances and, when HA, the TCP balancer on the cluster endpoint. */
interface Group {
  cp: ControlPlaneRecord;
  ha: boolean;
  instances: Instance[];
  balancer?: TcpBalancer;
  waiters: Array<() => void>;
  stopping: boolean;
  /** Serialises reconfigurations (upgrade, HA on/off). */
  changing: Promise<void>;
  /** Reconfigurations queued or running (the control plane shows Upgrading meanwhile). */
  busy: number;
  restarts: number;
}

export const HA_REPLICAS = 3;

/** A warm control-plane process of the pool: code loaded, waiting for a config on stdin. */
interface Standby {
  child: ChildProcess;
  /** The bundle it runs: a standby of an older bundle (sources changed) is never handed out. */
  entry: string;
  /** It printed its standby event. */
  loaded: boolean;
}

/**
 * Size of the warm pool: $NUAGE_LOCALCLOUD_WARM_POOL, else 2 (0 under tests, NUAGE_TEST=1, unless
 * a test asks for one).
 */
export function warmPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.NUAGE_LOCALCLOUD_WARM_POOL?.trim();
  if (raw) {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 50) {
      throw new Error(`NUAGE_LOCALCLOUD_WARM_POOL must be an integer from 0 to 50 (got "${raw}")`);
    }
    return n;
  }
  return env.NUAGE_TEST === "1" ? 0 : 2;
}

/** Leader-election timings for HA control planes: "lease,renew,retry" in ms (tests shorten them). */
function leaderElectionTimings() {
  const [lease, renew, retry] = (process.env.NUAGE_LEADER_ELECTION_MS ?? "15000,10000,2000").split(",").map(Number);
  return { leaseDurationMs: lease || 15_000, renewDeadlineMs: renew || 10_000, retryPeriodMs: retry || 2_000 };
}

/**
 * A control plane left running by a localcloud that was killed (SIGKILL, crash) still holds its
 * port: stop it before starting a new one. Only a process whose command line names this control
 * plane's config file, or a standby of this data directory's pool (it got its config on stdin),
 * and that is not one of ours now, is touched.
 */
function killStale(pidFile: string, configFile: string, standbyMarker: string, ours: Set<number>): void {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, "utf8"));
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1 || ours.has(pid)) return;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    if (cmdline.includes(configFile) || cmdline.includes(`--standby\0${standbyMarker}`)) process.kill(pid, "SIGKILL");
  } catch {
    // Not running any more.
  }
}

export async function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function newControlPlane(input: {
  id: string;
  name: string;
  version: string;
  serviceCidr?: string;
  clusterCidr?: string;
}): Promise<ControlPlaneRecord> {
  const ca = await createCA({ commonName: `${input.name}-ca`, validityDays: 3650 });
  const serviceCidr = input.serviceCidr ?? "10.96.0.0/12";
  const serviceIP = serviceCidr.replace(/\.0\/\d+$/, ".1");
  const server = await issueCertificate({
    ca,
    commonName: "kube-apiserver",
    dnsNames: [
      "localhost",
      "kubernetes",
      "kubernetes.default",
      "kubernetes.default.svc",
      "kubernetes.default.svc.cluster.local",
    ],
    ipAddresses: ["127.0.0.1", serviceIP],
    usage: "server",
    validityMs: 3650 * 86_400_000,
  });
  const sa = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    id: input.id,
    name: input.name,
    version: input.version,
    port: await freePort(),
    etcdPrefix: `/nuage/clusters/${input.id}-${randomBytes(4).toString("hex")}/`,
    serviceCidr,
    clusterCidr: input.clusterCidr ?? "10.244.0.0/16",
    caCertPem: ca.certPem,
    caKeyPem: ca.keyPem,
    serverCertPem: server.certPem,
    serverKeyPem: server.keyPem,
    serviceAccountKeyPem: sa.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    encryptionKeyBase64: randomBytes(32).toString("base64"),
    bootstrapToken: { id: randomBytes(3).toString("hex"), secret: randomBytes(8).toString("hex") },
    createdAt: new Date().toISOString(),
    podCidrNext: 0,
  };
}

export class ControlPlaneSupervisor {
  private groups = new Map<string, Group>();
  /** Warm processes (bundle loaded, idle) handed a config when a control plane starts. */
  private pool: Standby[] = [];
  private filling = false;
  private closed = false;
  readonly poolSize: number;

  constructor(
    private readonly dataDir: string,
    private readonly etcdUrl: string,
    private readonly log: (msg: string, fields?: Record<string, unknown>) => void,
    opts: { warmPool?: number } = {},
  ) {
    this.poolSize = opts.warmPool ?? warmPoolSize();
    if (this.poolSize > 0) setImmediate(() => void this.fillPool());
  }

  private get standbyMarker(): string {
    return join(this.dataDir, "controlplanes");
  }

  /** Pids of every process this supervisor runs now (instances and standbys). */
  private ownPids(): Set<number> {
    const pids = new Set<number>();
    for (const sb of this.pool) if (sb.child.pid) pids.add(sb.child.pid);
    for (const g of this.groups.values()) for (const i of g.instances) if (i.child?.pid) pids.add(i.child.pid);
    return pids;
  }

  /** Some control-plane process is starting (a standby loading now would slow it down). */
  private booting(): boolean {
    for (const g of this.groups.values()) {
      const starting = (i: Instance) =>
        !i.stopping && (i.child || i.spawning) && (i.phase === "Starting" || i.phase === "Restarting");
      if (g.instances.some(starting)) return true;
    }
    return false;
  }

  /** Starts standbys until the pool is full (one filler at a time; never after stopAll). */
  private async fillPool(): Promise<void> {
    if (this.filling || this.closed) return;
    this.filling = true;
    try {
      while (!this.closed && this.pool.length < this.poolSize) {
        let entry: string;
        try {
          entry = await controlPlaneEntry();
        } catch (e) {
          this.log("warm pool: control plane bundle failed; pool left empty", { error: (e as Error).message });
          return;
        }
        if (this.closed) return;
        // Standbys of an older bundle go: they would run stale code.
        for (const old of this.pool.filter((sb) => sb.entry !== entry)) this.dropStandby(old);
        if (this.pool.length >= this.poolSize) break;
        // At most 30 s: a control plane that never comes up must not keep the pool empty.
        for (let t = 0; t < 150 && !this.closed && this.booting(); t++) await new Promise((r) => setTimeout(r, 200));
        if (this.closed || this.pool.length >= this.poolSize) break;
        this.pool.push(this.spawnStandby(entry));
      }
    } finally {
      this.filling = false;
    }
  }

  private spawnStandby(entry: string): Standby {
    const child = spawn(process.execPath, [...controlPlaneNodeArgs(entry), "--standby", this.standbyMarker], {
      cwd: REPO_ROOT,
      // stdin: the config, later; its end (localcloud gone, pool shrunk) ends the process.
      stdio: ["pipe", "pipe", "pipe"],
      env: process.env,
    });
    const sb: Standby = { child, entry, loaded: false };
    let buf = "";
    const onData = (chunk: Buffer) => {
      buf += chunk.toString("utf8");
      if (!buf.includes('"standby"')) return;
      child.stdout?.off("data", onData);
      sb.loaded = true;
    };
    child.stdout?.on("data", onData);
    // Before it is handed out a standby has nothing to say; errors (a broken bundle) are logged.
    child.stderr?.on("data", (chunk: Buffer) => {
      if (this.pool.includes(sb))
        this.log("warm control plane stderr", { output: chunk.toString("utf8").slice(0, 500) });
    });
    child.stdin?.on("error", () => undefined);
    child.on("exit", (code, signal) => {
      const i = this.pool.indexOf(sb);
      if (i < 0) return;
      this.pool.splice(i, 1);
      if (!this.closed) {
        this.log("warm control plane exited", { code, signal });
        // Not at once: a bundle that cannot start would spin.
        setTimeout(() => void this.fillPool(), 2000).unref();
      }
    });
    return sb;
  }

  private dropStandby(sb: Standby): void {
    const i = this.pool.indexOf(sb);
    if (i >= 0) this.pool.splice(i, 1);
    sb.child.stdin?.end();
    sb.child.kill("SIGTERM");
  }

  /** A standby running `entry`, taken out of the pool (the pool refills in the background). */
  private takeStandby(entry: string): ChildProcess | undefined {
    const live = this.pool.filter((sb) => sb.entry === entry && sb.child.exitCode === null && !sb.child.killed);
    // A loaded one first; one still loading is still ahead of a cold start.
    const sb = live.find((x) => x.loaded) ?? live[0];
    if (!sb) return undefined;
    this.pool.splice(this.pool.indexOf(sb), 1);
    sb.child.stdout?.removeAllListeners("data");
    sb.child.stderr?.removeAllListeners("data");
    return sb.child;
  }

  /** Resolves once the pool is full and every standby has loaded (benches wait for it). */
  async warmPoolReady(timeoutMs = 120_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.poolSize === 0) return;
      if (this.pool.length >= this.poolSize && this.pool.every((sb) => sb.loaded)) return;
      void this.fillPool();
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the warm pool (${this.poolSize}) was not ready within ${Math.round(timeoutMs / 1000)}s`);
  }

  /** Standbys now: total and loaded. */
  warmPool(): { size: number; loaded: number; pids: number[] } {
    return {
      size: this.poolSize,
      loaded: this.pool.filter((sb) => sb.loaded).length,
      pids: this.pool.flatMap((sb) => (sb.child.pid ? [sb.child.pid] : [])),
    };
  }

  dir(id: string): string {
    return join(this.dataDir, "controlplanes", id);
  }

  revocationFile(id: string): string {
    return join(this.dir(id), "revoked-serials.txt");
  }

  phase(id: string): {
    phase: ControlPlanePhase;
    restarts: number;
    lastExit?: string;
    replicas: { desired: number; ready: number };
    runningVersions: string[];
  } {
    const g = this.groups.get(id);
    if (!g) return { phase: "Stopped", restarts: 0, replicas: { desired: 0, ready: 0 }, runningVersions: [] };
    const ready = g.instances.filter((i) => i.phase === "Running");
    const restarts = g.instances.reduce((n, i) => n + i.restarts, g.restarts);
    const lastExit = g.instances.find((i) => i.lastExit)?.lastExit;
    let phase: ControlPlanePhase;
    if (g.busy > 0) phase = "Upgrading";
    else if (ready.length) phase = "Running";
    else if (restarts > 0) phase = "Restarting";
    else phase = "Starting";
    return {
      phase,
      restarts,
      lastExit,
      replicas: { desired: g.instances.length, ready: ready.length },
      runningVersions: [...new Set(ready.map((i) => i.version ?? ""))],
    };
  }

  start(cp: ControlPlaneRecord): void {
    const existing = this.groups.get(cp.id);
    if (existing && !existing.stopping) return;
    const ha = (cp.replicas ?? 1) > 1;
    const g: Group = {
      cp,
      ha,
      instances: [],
      waiters: [],
      stopping: false,
      changing: Promise.resolve(),
      busy: 0,
      restarts: 0,
    };
    this.groups.set(cp.id, g);
    if (ha) {
      g.busy++;
      g.changing = this.startHa(g).finally(() => {
        g.busy--;
      });
    } else {
      g.instances = [this.newInstance(0, cp.port)];
      this.spawn(g, g.instances[0]!);
    }
  }

  private newInstance(index: number, port: number): Instance {
    return { index, port, phase: "Starting", restarts: 0, waiters: [], stopping: false };
  }

  /** HA: the balancer on the endpoint port, three processes on ports of their own. */
  private async startHa(g: Group): Promise<void> {
    const cp = g.cp;
    const ports = cp.backendPorts?.length === HA_REPLICAS ? cp.backendPorts : [];
    while (ports.length < HA_REPLICAS) ports.push(await freePort());
    cp.backendPorts = ports;
    g.instances = ports.map((p, i) => this.newInstance(i, p));
    g.balancer = new TcpBalancer({ host: "127.0.0.1", port: cp.port }, () =>
      g.instances.map((i) => ({ host: "127.0.0.1", port: i.port, up: i.phase === "Running" })),
    );
    await g.balancer.start();
    for (const inst of g.instances) this.spawn(g, inst);
    await Promise.all(g.instances.map((i) => this.waitInstance(i, 120_000).catch(() => {})));
  }

  /**
   * Applies a changed record: a new version restarts the processes on it (one by one when HA, so
   * the endpoint keeps answering; same etcd prefix, so the data stays), a changed replica count
   * switches between one process and three behind the balancer. Resolves when done.
   */
  reconfigure(cp: ControlPlaneRecord): Promise<void> {
    const g = this.groups.get(cp.id);
    if (!g || g.stopping) {
      this.start(cp);
      return this.waitReady(cp.id, 120_000);
    }
    g.cp = cp;
    g.busy++;
    const run = async () => {
      try {
        if (g.stopping) return;
        const wantHa = (cp.replicas ?? 1) > 1;
        if (wantHa !== g.ha) {
          this.log("control plane topology change", { controlPlane: cp.id, ha: wantHa });
          await Promise.all(g.instances.map((i) => this.stopInstance(i)));
          await g.balancer?.close();
          g.balancer = undefined;
          g.ha = wantHa;
          if (wantHa) await this.startHa(g);
          else {
            cp.backendPorts = undefined;
            g.instances = [this.newInstance(0, cp.port)];
            this.spawn(g, g.instances[0]!);
            await this.waitInstance(g.instances[0]!, 120_000);
          }
          return;
        }
        for (const inst of g.instances) {
          if (g.stopping) return;
          if (inst.version === cp.version && inst.phase === "Running") continue;
          this.log("control plane restarting on a new version", {
            controlPlane: cp.id,
            instance: inst.index,
            from: inst.version,
            to: cp.version,
          });
          await this.stopInstance(inst);
          inst.stopping = false;
          inst.phase = "Starting";
          this.spawn(g, inst);
          await this.waitInstance(inst, 120_000);
        }
      } finally {
        g.busy--;
      }
    };
    g.changing = g.changing.then(run, run);
    return g.changing;
  }

  private instanceFiles(g: Group, inst: Instance) {
    const dir = this.dir(g.cp.id);
    const suffix = g.ha ? `-${inst.index}` : "";
    return {
      dir,
      config: join(dir, `config${suffix}.json`),
      pid: join(dir, `pid${suffix}`),
      log: join(dir, `controlplane${suffix}.log`),
    };
  }

  private spawn(g: Group, inst: Instance): void {
    inst.spawning = true;
    controlPlaneEntry()
      .catch((e: Error) => {
        this.log("control plane bundle failed; running from sources", { controlPlane: g.cp.id, error: e.message });
        return SOURCE_ENTRY;
      })
      .then((entry) => {
        inst.spawning = false;
        if (!inst.stopping && !g.stopping && !inst.child) this.spawnWith(entry, g, inst);
      });
  }

  private spawnWith(entry: string, g: Group, inst: Instance): void {
    const cp = g.cp;
    const files = this.instanceFiles(g, inst);
    mkdirSync(files.dir, { recursive: true, mode: 0o700 });
    const revocationFile = this.revocationFile(cp.id);
    writeFileSync(revocationFile, "", { flag: "a", mode: 0o600 });
    const version = cp.version;
    const config = {
      name: cp.name,
      etcd: { url: this.etcdUrl, prefix: cp.etcdPrefix },
      listen: { host: "127.0.0.1", port: inst.port },
      advertise: { host: "127.0.0.1", port: cp.port },
      ...(g.ha
        ? {
            leaderElection: {
              identity: `${cp.name}-${inst.index}_${randomBytes(4).toString("hex")}`,
              ...leaderElectionTimings(),
            },
          }
        : {}),
      tls: {
        caCertPem: cp.caCertPem,
        caKeyPem: cp.caKeyPem,
        serverCertPem: cp.serverCertPem,
        serverKeyPem: cp.serverKeyPem,
      },
      serviceAccountKeyPem: cp.serviceAccountKeyPem,
      encryptionKeyBase64: cp.encryptionKeyBase64,
      bootstrapTokens: [cp.bootstrapToken],
      revocationFile,
      version,
      serviceCidr: cp.serviceCidr,
      clusterCidr: cp.clusterCidr,
    };
    const json = JSON.stringify(config);
    writeFileSync(files.config, json, { mode: 0o600 });
    killStale(files.pid, files.config, this.standbyMarker, this.ownPids());
    const logStream = createWriteStream(files.log, { flags: "a" });
    // A warm process of the pool gets the config on its stdin (it has loaded the code already);
    // otherwise a cold start. Either way stdin is a pipe localcloud writes nothing more to: it ends
    // when localcloud dies, however it dies, so the control plane exits instead of lingering.
    let child = this.takeStandby(entry);
    if (child) {
      child.stdin?.write(`${json}\n`);
      this.log("control plane started from the warm pool", { controlPlane: cp.id, instance: inst.index });
    } else {
      child = spawn(process.execPath, [...controlPlaneNodeArgs(entry), "--config", files.config], {
        cwd: REPO_ROOT,
        stdio: ["pipe", "pipe", "pipe"],
        env: process.env,
      });
    }
    inst.child = child;
    inst.version = undefined;
    if (child.pid) writeFileSync(files.pid, String(child.pid), { mode: 0o600 });
    inst.phase = inst.restarts > 0 ? "Restarting" : "Starting";
    let buf = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      logStream.write(chunk);
      buf += chunk.toString("utf8");
      let nl = buf.indexOf("\n");
      while (nl >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        nl = buf.indexOf("\n");
        if (!line.startsWith("{")) continue;
        try {
          const ev = JSON.parse(line) as { event?: string };
          if (ev.event === "ready" && inst.child === child) {
            inst.phase = "Running";
            inst.version = version;
            for (const w of inst.waiters.splice(0)) w();
            for (const w of g.waiters.splice(0)) w();
            this.log("control plane ready", { controlPlane: cp.id, port: inst.port, version });
            // The pool refills once starts are over (on few cores a standby loading slows them).
            if (this.pool.length < this.poolSize) void this.fillPool();
          }
        } catch {
          // Not an event line.
        }
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => logStream.write(chunk));
    child.on("exit", (code, signal) => {
      logStream.end();
      if (inst.child !== child) return;
      inst.child = undefined;
      inst.version = undefined;
      if (inst.stopping || g.stopping) {
        inst.phase = "Stopped";
        return;
      }
      inst.restarts++;
      inst.lastExit = signal ? `signal ${signal}` : `exit code ${code}`;
      inst.phase = "Restarting";
      const delay = Math.min(500 * 2 ** Math.min(inst.restarts - 1, 6), 30_000);
      this.log("control plane exited; restarting", {
        controlPlane: cp.id,
        instance: inst.index,
        lastExit: inst.lastExit,
        delayMs: delay,
      });
      inst.timer = setTimeout(() => {
        inst.timer = undefined;
        if (!inst.stopping && !g.stopping) this.spawn(g, inst);
      }, delay);
    });
  }

  private waitInstance(inst: Instance, timeoutMs: number): Promise<void> {
    if (inst.phase === "Running") return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        inst.waiters = inst.waiters.filter((w) => w !== done);
        reject(new Error(`control plane instance ${inst.index} was not ready within ${Math.round(timeoutMs / 1000)}s`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(t);
        resolve();
      };
      inst.waiters.push(done);
    });
  }

  /** Resolves when the endpoint answers: one process has printed its ready event (rejects after timeoutMs). */
  waitReady(id: string, timeoutMs: number): Promise<void> {
    const g = this.groups.get(id);
    if (!g) return Promise.reject(new Error(`control plane ${id} is not running`));
    if (g.instances.some((i) => i.phase === "Running")) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        g.waiters = g.waiters.filter((w) => w !== done);
        reject(new Error(`control plane ${id} was not ready within ${Math.round(timeoutMs / 1000)}s`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(t);
        resolve();
      };
      g.waiters.push(done);
    });
  }

  /** The first process's pid (the only one unless HA). */
  pid(id: string): number | undefined {
    return this.groups.get(id)?.instances.find((i) => i.child)?.child?.pid;
  }

  pids(id: string): number[] {
    return (this.groups.get(id)?.instances ?? []).flatMap((i) => (i.child?.pid ? [i.child.pid] : []));
  }

  private async stopInstance(inst: Instance): Promise<void> {
    inst.stopping = true;
    if (inst.timer) clearTimeout(inst.timer);
    inst.timer = undefined;
    const child = inst.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      inst.child = undefined;
      inst.phase = "Stopped";
      return;
    }
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
      child.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill("SIGTERM");
    });
    inst.phase = "Stopped";
  }

  async stop(id: string): Promise<void> {
    const g = this.groups.get(id);
    if (!g) return;
    g.stopping = true;
    this.groups.delete(id);
    await Promise.all(g.instances.map((i) => this.stopInstance(i)));
    await g.balancer?.close();
  }

  async stopAll(): Promise<void> {
    this.closed = true;
    const standbys = this.pool.splice(0);
    const exited = standbys.map(
      (sb) => new Promise<void>((r) => (sb.child.exitCode !== null ? r() : sb.child.once("exit", () => r()))),
    );
    for (const sb of standbys) {
      sb.child.stdin?.end();
      sb.child.kill("SIGTERM");
    }
    await Promise.all([...[...this.groups.keys()].map((id) => this.stop(id)), ...exited]);
  }
}
