// Cluster provisioning benchmark, through the whole platform: tRPC create → BullMQ → worker →
// localcloud → all nodes Ready (checked with the real kubectl).
//   DATABASE_URL=… REDIS_URL=… ETCD_URL=… tsx bench/clusters.ts [--clusters 10] [--nodes 3] [--warm-pool 2]
// Prints create→Ready p50/p95 for N clusters created at once, the same for N clusters made
// directly at the provider (its own time), and the platform's overhead between the two.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const argv = process.argv.slice(2);
const flag = (name: string, def: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const CLUSTERS = flag("clusters", 10);
const NODES = flag("nodes", 3);
/** localcloud's warm control-plane pool (its default: 2); each run starts with it full. */
const WARM_POOL = flag("warm-pool", 2);
const ETCD_URL = process.env.ETCD_URL ?? "http://127.0.0.1:23799";
process.env.NUAGE_QUEUE_PREFIX = `bench-${randomBytes(4).toString("hex")}`;
process.env.NUAGE_RECONCILE_EVERY_MS = "3600000";

const { startLocalcloud } = await import("../apps/localcloud/src/index.ts");
const { LocalProvider, setProvider } = await import("../packages/providers/src/index.ts");
const { createCaller, createTRPCContext } = await import("../packages/api/src/index.ts");
const { getDb, closeDb } = await import("../packages/db/src/index.ts");
const { closeQueues, closeRedis, redis } = await import("../packages/jobs/src/index.ts");
const { startClusterProcessors } = await import("../apps/worker/src/clusters/processor.ts");

const exec = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
};
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const dir = mkdtempSync(join(tmpdir(), "nuage-bench-clusters-"));
const token = randomBytes(16).toString("hex");
const lc = await startLocalcloud({ dataDir: dir, etcdUrl: ETCD_URL, token, warmPool: WARM_POOL });
const provider = new LocalProvider({ url: lc.url, token });
setProvider(provider);
const workers = await startClusterProcessors();

const db = getDb();
const suffix = randomBytes(4).toString("hex");
const user = await db.user.create({
  data: { email: `bench-${suffix}@bench.nuage.local`, name: "bench", emailVerified: new Date() },
});
const org = await db.org.create({
  data: { name: `bench ${suffix}`, maxClusters: CLUSTERS, maxNodesPerCluster: NODES, maxVcpu: CLUSTERS * NODES },
});
await db.membership.create({ data: { orgId: org.id, userId: user.id, role: "owner" } });
const caller = createCaller(await createTRPCContext({ headers: new Headers(), session: { userId: user.id } }));

async function kubectlReady(kubeconfig: string): Promise<number> {
  const path = join(dir, `kc-${randomBytes(4).toString("hex")}`);
  writeFileSync(path, kubeconfig, { mode: 0o600 });
  const r = await exec("kubectl", ["--kubeconfig", path, "get", "nodes", "--no-headers"]);
  return r.stdout.split("\n").filter((l) => /\sReady\s/.test(l)).length;
}

/** Where the platform figure goes besides the steps: the create call, and running → kubectl sees Ready. */
const createCall: number[] = [];
const afterRunning: number[] = [];

async function platformOne(i: number): Promise<number> {
  const t0 = Date.now();
  const c = await caller.clusters.create({
    name: `bench-${i}`,
    nodePools: [{ name: "p", flavor: "s-1vcpu-2gb", count: NODES }],
  });
  createCall.push(Date.now() - t0);
  for (;;) {
    const now = await caller.clusters.get({ id: c.id });
    if (now.status === "error") throw new Error(`cluster ${i}: ${now.statusMessage}`);
    if (now.status === "running") break;
    await sleep(200);
  }
  const t1 = Date.now();
  const { kubeconfig } = await caller.clusters.kubeconfig({ id: c.id, ttlHours: 1 });
  while ((await kubectlReady(kubeconfig)) < NODES) await sleep(200);
  afterRunning.push(Date.now() - t1);
  return Date.now() - t0;
}

async function providerOne(i: number): Promise<number> {
  const t0 = Date.now();
  const id = `raw${suffix}${i}`;
  await provider.ensureControlPlane({ id, name: id, version: "v1.32.0", highAvailability: false });
  while (!(await provider.getControlPlane(id, { waitReadyMs: 5000 }))?.ready) await sleep(200);
  for (let n = 0; n < NODES; n++) {
    await provider.ensureMachine({ id: `${id}n${n}`, name: `${id}-n${n}`, clusterId: id, flavor: "s-1vcpu-2gb" });
  }
  while ((await provider.listMachines({ clusterId: id })).filter((m) => m.ready).length < NODES) await sleep(200);
  const ms = Date.now() - t0;
  await provider.deleteControlPlane(id);
  return ms;
}

try {
  console.log(
    `clusters: ${CLUSTERS} created at once, ${NODES} nodes each (s-1vcpu-2gb); warm control-plane pool ${WARM_POOL}`,
  );
  await lc.cloud.supervisor.warmPoolReady();
  const platform = await Promise.all(Array.from({ length: CLUSTERS }, (_, i) => platformOne(i)));
  console.log(
    `platform create → ${NODES} nodes Ready (kubectl): p50 ${sec(pct(platform, 50))}, p95 ${sec(pct(platform, 95))}`,
  );
  // Where the platform's time goes: queue wait, then each step (p50 over the clusters).
  const ops = await db.operation.findMany({ where: { orgId: org.id, type: "create" }, include: { steps: true } });
  const wait = ops.map((o) => (o.startedAt?.getTime() ?? 0) - o.createdAt.getTime());
  const parts = [`queue ${sec(pct(wait, 50))}`];
  for (const name of ["certificate-authority", "control-plane", "datastore", "nodes", "add-ons", "ready"]) {
    const d = ops.flatMap((o) =>
      o.steps.filter((x) => x.name === name).map((x) => (x.finishedAt?.getTime() ?? 0) - (x.startedAt?.getTime() ?? 0)),
    );
    parts.push(`${name} ${sec(pct(d, 50))}`);
  }
  console.log(`platform steps (p50): ${parts.join(", ")}`);
  console.log(
    `create call p50 ${sec(pct(createCall, 50))} (max ${sec(Math.max(...createCall))}); running → kubeconfig + kubectl sees Ready p50 ${sec(pct(afterRunning, 50))}`,
  );
  for (const c of await caller.clusters.list()) await caller.clusters.delete({ id: c.id, confirmName: c.name });
  for (;;) {
    const left = await db.cluster.count({ where: { orgId: org.id, status: { not: "deleted" } } });
    if (!left) break;
    await sleep(500);
  }
  await lc.cloud.supervisor.warmPoolReady();
  const raw = await Promise.all(Array.from({ length: CLUSTERS }, (_, i) => providerOne(i)));
  console.log(
    `provider alone (control plane + ${NODES} VMs Ready): p50 ${sec(pct(raw, 50))}, p95 ${sec(pct(raw, 95))}`,
  );
  const overhead = pct(platform, 50) - pct(raw, 50);
  console.log(
    `platform overhead: p50 ${sec(overhead)} (${((pct(platform, 50) / pct(raw, 50) - 1) * 100).toFixed(0)} %)`,
  );
  const row = (what: string, ms: number, goal: number) =>
    console.log(
      `  ${what.padEnd(30)} ${sec(ms).padStart(8)}   goal ≤ ${sec(goal).padEnd(7)} ${ms <= goal ? "met" : "NOT met"}`,
    );
  console.log(`goals (${CLUSTERS} at once; machine load average now: ${loadavg()[0]?.toFixed(1)}):`);
  row("create → nodes Ready p50", pct(platform, 50), 3000);
  row("create → nodes Ready p95", pct(platform, 95), 6000);
  row("platform overhead p50", overhead, 300);
} finally {
  await Promise.allSettled(workers.map((w) => w.close()));
  await lc.close();
  await db.auditLog.deleteMany({ where: { orgId: org.id } });
  await db.org.delete({ where: { id: org.id } });
  await db.user.delete({ where: { id: user.id } });
  const keys = await redis().keys(`${process.env.NUAGE_QUEUE_PREFIX}:*`);
  if (keys.length) await redis().del(...keys);
  await Promise.allSettled([closeQueues(), closeRedis(), closeDb()]);
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
