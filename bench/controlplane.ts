// Control-plane benchmark: `ETCD_URL=… tsx bench/controlplane.ts [--runs 3] [--pods 60] [--churn-seconds 15] [--warm-pool 2]`
// Prints: cluster (control plane + 3 nodes Ready) p50, pod startup p50/p99, mutating API call
// p50/p99 at 20 changes/s, and the idle control plane's RSS and CPU.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalCluster, startLocalCluster, startLocalcloud } from "../apps/localcloud/src/index.ts";

const argv = process.argv.slice(2);
const flag = (name: string, def: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const RUNS = flag("runs", 3);
const PODS = flag("pods", 60);
const CHURN_SECONDS = flag("churn-seconds", 15);
/** localcloud's warm control-plane pool (default 2; 0: every control plane is a cold start). */
const WARM_POOL = flag("warm-pool", 2);
const CHURN_RATE = 20;
const ETCD_URL = process.env.ETCD_URL ?? "http://127.0.0.1:23799";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
};
const fmt = (ms: number) => `${ms.toFixed(0)} ms`;

interface Pod {
  metadata: { name: string; namespace?: string; uid?: string; [k: string]: unknown };
  status?: { conditions?: Array<{ type: string; status: string }> };
  [k: string]: unknown;
}

async function podStartup(c: LocalCluster): Promise<number[]> {
  const ns = `bench-${randomBytes(3).toString("hex")}`;
  await c.admin.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  const created = new Map<string, number>();
  const ready = new Map<string, number>();
  let done: () => void = () => undefined;
  const all = new Promise<void>((r) => {
    done = r;
  });
  const seen = (p: Pod) => {
    const t0 = created.get(p.metadata.name);
    if (t0 === undefined || ready.has(p.metadata.name)) return;
    if (p.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True")) {
      ready.set(p.metadata.name, Date.now() - t0);
      if (ready.size === PODS) done();
    }
  };
  const watch = c.admin.listWatch<Pod>(
    `/api/v1/namespaces/${ns}/pods`,
    {},
    {
      onSync: (items) => items.forEach(seen),
      onEvent: (e) => seen(e.object),
    },
  );
  await sleep(300);
  // Pods arrive at 10/s, like a busy tenant applying manifests.
  for (let i = 0; i < PODS; i++) {
    const name = `p${i}`;
    created.set(name, Date.now());
    void c.admin.create(`/api/v1/namespaces/${ns}/pods`, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: ns },
      spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
    });
    await sleep(100);
  }
  await Promise.race([all, sleep(120_000)]);
  watch.stop();
  await c.admin.delete(`/api/v1/namespaces/${ns}`).catch(() => undefined);
  return [...ready.values()];
}

async function churn(c: LocalCluster): Promise<number[]> {
  const ns = "default";
  const lat: number[] = [];
  const base = `/api/v1/namespaces/${ns}/configmaps`;
  const names: string[] = [];
  const interval = 1000 / CHURN_RATE;
  const end = Date.now() + CHURN_SECONDS * 1000;
  const inflight: Promise<void>[] = [];
  let i = 0;
  while (Date.now() < end) {
    const op = i % 3;
    const t0 = Date.now();
    let p: Promise<unknown>;
    if (op === 0 || names.length === 0) {
      const name = `churn-${i}`;
      names.push(name);
      p = c.admin.create(base, { apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { i: String(i) } });
    } else if (op === 1) {
      const name = names[names.length - 1] as string;
      p = c.admin.mergePatch(`${base}/${name}`, { data: { i: String(i), at: String(t0) } });
    } else {
      const name = names.shift() as string;
      p = c.admin.delete(`${base}/${name}`);
    }
    inflight.push(p.then(() => void lat.push(Date.now() - t0)).catch(() => undefined));
    i++;
    await sleep(Math.max(0, t0 + interval - Date.now()));
  }
  await Promise.all(inflight);
  for (const n of names) await c.admin.delete(`${base}/${n}`).catch(() => undefined);
  return lat;
}

function procStats(pid: number): { rssMiB: number; cpuTicks: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { rssMiB: rssKb / 1024, cpuTicks: Number(fields[11]) + Number(fields[12]) };
}

async function idle(pid: number, seconds = 10): Promise<{ rssMiB: number; cpuPercent: number }> {
  await sleep(3000);
  const a = procStats(pid);
  await sleep(seconds * 1000);
  const b = procStats(pid);
  const ticksPerSecond = 100;
  return { rssMiB: b.rssMiB, cpuPercent: ((b.cpuTicks - a.cpuTicks) / ticksPerSecond / seconds) * 100 };
}

const dir = mkdtempSync(join(tmpdir(), "nuage-bench-"));
const lc = await startLocalcloud({ dataDir: dir, etcdUrl: ETCD_URL, warmPool: WARM_POOL });
try {
  const upTimes: number[] = [];
  let keep: LocalCluster | undefined;
  for (let r = 0; r < RUNS; r++) {
    // Each run starts with the pool full, as a create on a cloud that has been up a while.
    await lc.cloud.supervisor.warmPoolReady();
    const t0 = Date.now();
    const c = await startLocalCluster({
      localcloud: { url: lc.url },
      name: `bench-${randomBytes(3).toString("hex")}`,
      nodes: 3,
      clustersDir: dir,
    });
    upTimes.push(Date.now() - t0);
    if (r === RUNS - 1) keep = c;
    else await c.stop();
  }
  const c = keep as LocalCluster;
  console.log(
    `control plane + 3 nodes Ready (warm pool ${WARM_POOL}): p50 ${fmt(pct(upTimes, 50))} (runs: ${upTimes.map(fmt).join(", ")})`,
  );
  const pid = lc.cloud.supervisor.pid(c.name) as number;
  const idleStats = await idle(pid);
  console.log(`idle control plane: RSS ${idleStats.rssMiB.toFixed(0)} MiB, CPU ${idleStats.cpuPercent.toFixed(1)} %`);
  const self = procStats(process.pid);
  console.log(`localcloud process (3 node agents, in-process): RSS ${self.rssMiB.toFixed(0)} MiB`);
  const startup = await podStartup(c);
  console.log(
    `pod startup (create → Ready, ${startup.length}/${PODS} pods at 10/s): p50 ${fmt(pct(startup, 50))}, p99 ${fmt(pct(startup, 99))}`,
  );
  const lat = await churn(c);
  console.log(
    `mutating API calls at ${CHURN_RATE}/s for ${CHURN_SECONDS}s (${lat.length} calls): p50 ${fmt(pct(lat, 50))}, p99 ${fmt(pct(lat, 99))}`,
  );
  await c.stop();
  const up = pct(upTimes, 50);
  const row = (what: string, value: string, goal: string, ok: boolean) =>
    console.log(`  ${what.padEnd(34)} ${value.padStart(10)}   goal ${goal.padEnd(8)} ${ok ? "met" : "NOT met"}`);
  console.log("goals (machine load average now: " + loadavg()[0]?.toFixed(1) + "):");
  row("control plane + 3 nodes Ready p50", fmt(up), "≤ 2 s", up <= 2000);
  row("idle control plane RSS", `${idleStats.rssMiB.toFixed(0)} MiB`, "≤ 60 MiB", idleStats.rssMiB <= 60);
  row("idle control plane CPU", `${idleStats.cpuPercent.toFixed(1)} %`, "≤ 1 %", idleStats.cpuPercent <= 1);
} finally {
  await lc.close();
  rmSync(dir, { recursive: true, force: true });
}
