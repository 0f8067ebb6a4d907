// Workload benchmark against one localcloud cluster, figures next to the goals of issue #8:
//   ETCD_URL=… tsx bench/workloads.ts [--nodes 10] [--pods 1000] [--rate 50] [--replicas 100]
//                                     [--list-pods 5000] [--services 1000] [--list-runs 50]
// 1. pod startup (create → Ready) p50/p99 for --pods pods created at --rate/s across --nodes nodes,
//    with and without the image pulls (goal p99 ≤ 1 s, without them as the upstream SLI);
// 2. a --replicas Deployment rolled to a new image with maxSurge 25 % (goal ≤ 10 s);
// 3. one control plane holding --list-pods pods and --services Services: LIST p50/p99 per
//    namespace and cluster-wide, as JSON and as the Table kubectl asks for (goal p99 ≤ 200 ms).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { type LocalCluster, startLocalCluster, startLocalcloud } from "../apps/localcloud/src/index.ts";

const argv = process.argv.slice(2);
const flag = (name: string, def: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const NODES = flag("nodes", 10);
const PODS = flag("pods", 1000);
const RATE = flag("rate", 50);
const REPLICAS = flag("replicas", 100);
const LIST_PODS = flag("list-pods", 5000);
const SERVICES = flag("services", 1000);
const LIST_RUNS = flag("list-runs", 50);
const ETCD_URL = process.env.ETCD_URL ?? "http://127.0.0.1:23799";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
};
const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
const verdict = (ok: boolean) => (ok ? "meets the goal" : "MISSES the goal");

interface Obj {
  metadata: { name: string; namespace?: string; generation?: number };
  status?: Record<string, any>;
  [k: string]: unknown;
}

/** Timed GETs with the admin's client certificate and a chosen Accept header. */
function rawGetter(c: LocalCluster) {
  const kc = parse(c.kubeconfig);
  const user = kc.users[0].user;
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets: 8,
    ca: Buffer.from(kc.clusters[0].cluster["certificate-authority-data"], "base64"),
    cert: Buffer.from(user["client-certificate-data"], "base64"),
    key: Buffer.from(user["client-key-data"], "base64"),
  });
  return {
    get(path: string, accept = "application/json"): Promise<{ ms: number; bytes: number }> {
      const t0 = performance.now();
      return new Promise((resolve, reject) => {
        https
          .get(new URL(path, c.endpoint), { agent, headers: { accept } }, (res) => {
            let bytes = 0;
            res.on("data", (b: Buffer) => {
              bytes += b.length;
            });
            res.on("end", () =>
              res.statusCode === 200
                ? resolve({ ms: performance.now() - t0, bytes })
                : reject(new Error(`GET ${path}: HTTP ${res.statusCode}`)),
            );
          })
          .on("error", reject);
      });
    },
    close: () => agent.destroy(),
  };
}

/** Runs fn over items with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (i < items.length) {
        const x = items[i++] as T;
        await fn(x).catch((e) => console.error(String(e?.message ?? e)));
      }
    }),
  );
}

async function namespace(c: LocalCluster, name: string) {
  await c.admin.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
}

/**
 * Startup of each pod (create → Ready, ms) and the same less its image pull: the upstream pod
 * startup SLI excludes pulling images, and the first pods on each node pull nginx (the node agent's
 * Pulled event says how long it took; later pods find the image present).
 */
async function podStartup(c: LocalCluster): Promise<{ withPulls: number[]; withoutPulls: number[]; pulls: number }> {
  const ns = `bench-start-${randomBytes(3).toString("hex")}`;
  await namespace(c, ns);
  const created = new Map<string, number>();
  const ready = new Map<string, number>();
  const pullMs = new Map<string, number>();
  const events = c.admin.listWatch<Obj>(
    `/api/v1/namespaces/${ns}/events`,
    {},
    {
      onSync: (items) => items.forEach(pulled),
      onEvent: (e) => pulled(e.object),
    },
  );
  function pulled(e: Obj) {
    const m = e.reason === "Pulled" && /^Successfully pulled .* in (\d+)ms/.exec(String(e.message));
    const pod = (e.involvedObject as { name?: string } | undefined)?.name;
    if (m && pod) pullMs.set(pod, Number(m[1]));
  }
  let done: () => void = () => undefined;
  const all = new Promise<void>((r) => {
    done = r;
  });
  const seen = (p: Obj) => {
    const t0 = created.get(p.metadata.name);
    if (t0 === undefined || ready.has(p.metadata.name)) return;
    if (
      p.status?.conditions?.some((x: { type: string; status: string }) => x.type === "Ready" && x.status === "True")
    ) {
      ready.set(p.metadata.name, Date.now() - t0);
      if (ready.size === PODS) done();
    }
  };
  const watch = c.admin.listWatch<Obj>(
    `/api/v1/namespaces/${ns}/pods`,
    {},
    {
      onSync: (items) => items.forEach(seen),
      onEvent: (e) => seen(e.object),
    },
  );
  await sleep(300);
  const interval = 1000 / RATE;
  const start = Date.now();
  for (let i = 0; i < PODS; i++) {
    const name = `p${i}`;
    await sleep(Math.max(0, start + i * interval - Date.now()));
    created.set(name, Date.now());
    void c.admin
      .create(`/api/v1/namespaces/${ns}/pods`, {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace: ns, labels: { app: "startup" } },
        spec: {
          containers: [{ name: "web", image: "nginx:1.27", resources: { requests: { cpu: "5m", memory: "8Mi" } } }],
        },
      })
      .catch((e) => console.error(`create ${name}: ${e.message}`));
  }
  // A cleared timer: a pending 300 s sleep would keep the process alive after the last figure.
  let timeout: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise((r) => (timeout = setTimeout(r, 300_000)))]);
  clearTimeout(timeout);
  watch.stop();
  await sleep(1000); // the last Pulled events are written after their pods' status
  events.stop();
  await c.admin.delete(`/api/v1/namespaces/${ns}`).catch(() => undefined);
  const withPulls = [...ready.values()];
  const withoutPulls = [...ready].map(([name, ms]) => ms - (pullMs.get(name) ?? 0));
  return { withPulls, withoutPulls, pulls: pullMs.size };
}

async function waitFor(fn: () => Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await fn().catch(() => false)) return true;
    await sleep(everyMs);
  }
  return false;
}

async function rollout(c: LocalCluster): Promise<{ readyMs: number; rolloutMs: number; ok: boolean }> {
  const ns = `bench-roll-${randomBytes(3).toString("hex")}`;
  await namespace(c, ns);
  const path = `/apis/apps/v1/namespaces/${ns}/deployments`;
  const t0 = Date.now();
  await c.admin.create(path, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: "web" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "web", image: "nginx:1.27", resources: { requests: { cpu: "5m" } } }] },
      },
    },
  });
  const complete = async () => {
    const d = await c.admin.get<Obj>(`${path}/web`);
    const s = d.status ?? {};
    return (
      (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) &&
      s.updatedReplicas === REPLICAS &&
      s.availableReplicas === REPLICAS &&
      s.replicas === REPLICAS
    );
  };
  if (!(await waitFor(complete, 300_000))) return { readyMs: Date.now() - t0, rolloutMs: Number.NaN, ok: false };
  const readyMs = Date.now() - t0;
  const t1 = Date.now();
  await c.admin.mergePatch(`${path}/web`, {
    spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.28" }] } } },
  });
  const ok = await waitFor(complete, 300_000);
  const rolloutMs = Date.now() - t1;
  await c.admin.delete(`/api/v1/namespaces/${ns}`).catch(() => undefined);
  return { readyMs, rolloutMs, ok };
}

async function lists(c: LocalCluster) {
  const namespaces = Math.max(1, Math.round(LIST_PODS / 100));
  const nsNames = Array.from({ length: namespaces }, (_, i) => `bench-list-${i}`);
  for (const ns of nsNames) await namespace(c, ns).catch(() => undefined);
  const t0 = Date.now();
  const pods = Array.from({ length: LIST_PODS }, (_, i) => i);
  // Pending pods (no node matches): the API server holds them without node agents running them.
  await pool(pods, 32, (i) =>
    c.admin.create(`/api/v1/namespaces/${nsNames[i % namespaces]}/pods`, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: `pod-${i}`, labels: { app: `svc-${i % SERVICES}`, bench: "list" } },
      spec: {
        nodeSelector: { "bench.nuage.dev/none": "true" },
        containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80 }] }],
      },
    }),
  );
  const svcs = Array.from({ length: SERVICES }, (_, i) => i);
  await pool(svcs, 32, (i) =>
    c.admin.create(`/api/v1/namespaces/${nsNames[i % namespaces]}/services`, {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: `svc-${i}` },
      spec: { selector: { app: `svc-${i}` }, ports: [{ port: 80, targetPort: 80 }] },
    }),
  );
  console.log(
    `  created ${LIST_PODS} pods and ${SERVICES} services in ${namespaces} namespaces in ${fmt(Date.now() - t0)}`,
  );
  const raw = rawGetter(c);
  const TABLE =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
  const measure = async (label: string, paths: () => string, accept?: string, runs = LIST_RUNS) => {
    const ms: number[] = [];
    let bytes = 0;
    await raw.get(paths(), accept); // warm the connection
    for (let i = 0; i < runs; i++) {
      const r = await raw.get(paths(), accept);
      ms.push(r.ms);
      bytes = r.bytes;
    }
    const p99 = pct(ms, 99);
    console.log(
      `  ${label}: p50 ${fmt(pct(ms, 50))}, p99 ${fmt(p99)} (${runs} calls, ${(bytes / 1024).toFixed(0)} KiB) — ${verdict(p99 <= 200)}`,
    );
  };
  const someNs = () => nsNames[Math.floor(Math.random() * namespaces)];
  await measure("pods in one namespace (JSON)", () => `/api/v1/namespaces/${someNs()}/pods`);
  await measure(
    "pods in one namespace (Table, kubectl get)",
    () => `/api/v1/namespaces/${someNs()}/pods?limit=500`,
    TABLE,
  );
  await measure("pods cluster-wide (JSON, one page)", () => "/api/v1/pods", undefined, Math.min(LIST_RUNS, 20));
  await measure("pods cluster-wide (first 500, kubectl get -A page)", () => "/api/v1/pods?limit=500", TABLE);
  await measure("services cluster-wide (JSON)", () => "/api/v1/services");
  await measure("services cluster-wide (Table)", () => "/api/v1/services?limit=500", TABLE);
  raw.close();
  for (const ns of nsNames) await c.admin.delete(`/api/v1/namespaces/${ns}`).catch(() => undefined);
}

const dir = mkdtempSync(join(tmpdir(), "nuage-bench-workloads-"));
const lc = await startLocalcloud({ dataDir: dir, etcdUrl: ETCD_URL, warmPool: 0 });
let cluster: LocalCluster | undefined;
try {
  const t0 = Date.now();
  cluster = await startLocalCluster({
    localcloud: { url: lc.url },
    name: `bench-wl-${randomBytes(3).toString("hex")}`,
    nodes: NODES,
    clustersDir: dir,
    timeoutMs: 300_000,
  });
  console.log(`control plane + ${NODES} nodes Ready in ${fmt(Date.now() - t0)}`);

  const { withPulls, withoutPulls, pulls } = await podStartup(cluster);
  const p99 = pct(withoutPulls, 99);
  console.log(
    `pod startup (create → Ready, ${withPulls.length}/${PODS} pods at ${RATE}/s on ${NODES} nodes, images pulled by ${pulls} of them): p50 ${fmt(pct(withPulls, 50))}, p99 ${fmt(pct(withPulls, 99))}`,
  );
  console.log(
    `  excluding image pulls, as the upstream SLI: p50 ${fmt(pct(withoutPulls, 50))}, p99 ${fmt(p99)} — ${verdict(withPulls.length === PODS && p99 <= 1000)}`,
  );

  const roll = await rollout(cluster);
  console.log(
    `deployment of ${REPLICAS} replicas: all available in ${fmt(roll.readyMs)}; rolled to a new image (maxSurge 25 %) in ${roll.ok ? fmt(roll.rolloutMs) : "— (did not complete)"} — ${verdict(roll.ok && roll.rolloutMs <= 10_000)}`,
  );

  console.log(`one control plane with ${LIST_PODS} pods and ${SERVICES} services:`);
  await lists(cluster);
} finally {
  await cluster?.stop().catch(() => undefined);
  await lc.close();
  rmSync(dir, { recursive: true, force: true });
}
