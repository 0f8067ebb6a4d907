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

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

const SOURCE_ENTRY = join(REPO_ROOT, "packages/controlplane/src/main.ts");

/**
 * V8 flags of a control-plane process, for density (many idle tenant control planes per host):
 * a 1 MiB young generation (an idle control plane allocates little; about −30 MiB RSS against the
 * default 16 MiB semi-spaces), a capped old space, and GC on the main thread only (no helper
 * threads' buffers). `--lite-mode` would save 16 MiB more but made pod start-up 2.7× and API calls
 * 2.5× slower (interpreter only), so it is not the default. NUAGE_CONTROLPLANE_NODE_FLAGS
 * replaces them (space-separated).
 */
const V8_FLAGS = process.env.NUAGE_CONTROLPLANE_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? [
  "--max-semi-space-size=1",
  "--max-old-space-size=256",
  "--single-threaded-gc",
];

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

export type ControlPlanePhase = "Starting" | "Running" | "Restarting" | "Stopped";

interface Runtime {
  child?: ChildProcess;
  phase: ControlPlanePhase;
  restarts: number;
  lastExit?: string;
  timer?: NodeJS.Timeout;
  waiters: Array<() => void>;
  stopping: boolean;
  /** A spawn is waiting for the bundle. */
  spawning?: boolean;
}

/**
 * A control plane left running by a localcloud that was killed (SIGKILL, crash) still holds its
 * port: stop it before starting a new one. Only a process whose command line names this control
 * plane's config file is touched.
 */
function killStale(pidFile: string, configFile: string): void {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, "utf8"));
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    if (cmdline.includes(configFile)) process.kill(pid, "SIGKILL");
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
  private runtimes = new Map<string, Runtime>();

  constructor(
    private readonly dataDir: string,
    private readonly etcdUrl: string,
    private readonly log: (msg: string, fields?: Record<string, unknown>) => void,
  ) {}

  dir(id: string): string {
    return join(this.dataDir, "controlplanes", id);
  }

  revocationFile(id: string): string {
    return join(this.dir(id), "revoked-serials.txt");
  }

  phase(id: string): { phase: ControlPlanePhase; restarts: number; lastExit?: string } {
    const r = this.runtimes.get(id);
    return { phase: r?.phase ?? "Stopped", restarts: r?.restarts ?? 0, lastExit: r?.lastExit };
  }

  start(cp: ControlPlaneRecord): void {
    const existing = this.runtimes.get(cp.id);
    if (existing && !existing.stopping && (existing.child || existing.spawning)) return;
    const rt: Runtime = existing ?? { phase: "Starting", restarts: 0, waiters: [], stopping: false };
    rt.stopping = false;
    this.runtimes.set(cp.id, rt);
    this.spawn(cp, rt);
  }

  private spawn(cp: ControlPlaneRecord, rt: Runtime): void {
    rt.spawning = true;
    controlPlaneEntry()
      .catch((e: Error) => {
        this.log("control plane bundle failed; running from sources", { controlPlane: cp.id, error: e.message });
        return SOURCE_ENTRY;
      })
      .then((entry) => {
        rt.spawning = false;
        if (!rt.stopping && !rt.child) this.spawnWith(entry, cp, rt);
      });
  }

  private spawnWith(entry: string, cp: ControlPlaneRecord, rt: Runtime): void {
    const dir = this.dir(cp.id);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const revocationFile = this.revocationFile(cp.id);
    writeFileSync(revocationFile, "", { flag: "a", mode: 0o600 });
    const configFile = join(dir, "config.json");
    const config = {
      name: cp.name,
      etcd: { url: this.etcdUrl, prefix: cp.etcdPrefix },
      listen: { host: "127.0.0.1", port: cp.port },
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
      version: cp.version,
      serviceCidr: cp.serviceCidr,
      clusterCidr: cp.clusterCidr,
    };
    writeFileSync(configFile, JSON.stringify(config), { mode: 0o600 });
    killStale(join(dir, "pid"), configFile);
    const logStream = createWriteStream(join(dir, "controlplane.log"), { flags: "a" });
    const child = spawn(process.execPath, [...controlPlaneNodeArgs(entry), "--config", configFile], {
      cwd: REPO_ROOT,
      // stdin is a pipe localcloud never writes to: it ends when localcloud dies, however it
      // dies, so the control plane can exit then instead of lingering as an orphan.
      stdio: ["pipe", "pipe", "pipe"],
      env: process.env,
    });
    rt.child = child;
    if (child.pid) writeFileSync(join(dir, "pid"), String(child.pid), { mode: 0o600 });
    rt.phase = rt.restarts > 0 ? "Restarting" : "Starting";
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
          if (ev.event === "ready" && rt.child === child) {
            rt.phase = "Running";
            for (const w of rt.waiters.splice(0)) w();
            this.log("control plane ready", { controlPlane: cp.id, port: cp.port });
          }
        } catch {
          // Not an event line.
        }
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => logStream.write(chunk));
    child.on("exit", (code, signal) => {
      logStream.end();
      if (rt.child !== child) return;
      rt.child = undefined;
      if (rt.stopping) {
        rt.phase = "Stopped";
        return;
      }
      rt.restarts++;
      rt.lastExit = signal ? `signal ${signal}` : `exit code ${code}`;
      rt.phase = "Restarting";
      const delay = Math.min(500 * 2 ** Math.min(rt.restarts - 1, 6), 30_000);
      this.log("control plane exited; restarting", { controlPlane: cp.id, lastExit: rt.lastExit, delayMs: delay });
      rt.timer = setTimeout(() => {
        rt.timer = undefined;
        if (!rt.stopping) this.spawn(cp, rt);
      }, delay);
    });
  }

  /** Resolves when the control plane has printed its ready event (rejects after timeoutMs). */
  waitReady(id: string, timeoutMs: number): Promise<void> {
    const rt = this.runtimes.get(id);
    if (!rt) return Promise.reject(new Error(`control plane ${id} is not running`));
    if (rt.phase === "Running") return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        rt.waiters = rt.waiters.filter((w) => w !== done);
        reject(new Error(`control plane ${id} was not ready within ${Math.round(timeoutMs / 1000)}s`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(t);
        resolve();
      };
      rt.waiters.push(done);
    });
  }

  pid(id: string): number | undefined {
    return this.runtimes.get(id)?.child?.pid;
  }

  async stop(id: string): Promise<void> {
    const rt = this.runtimes.get(id);
    if (!rt) return;
    rt.stopping = true;
    if (rt.timer) clearTimeout(rt.timer);
    const child = rt.child;
    this.runtimes.delete(id);
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
      child.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill("SIGTERM");
    });
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.runtimes.keys()].map((id) => this.stop(id)));
  }
}
