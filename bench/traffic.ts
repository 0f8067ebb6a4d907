// Traffic benchmark: `ETCD_URL=… tsx bench/traffic.ts [--requests 2000] [--concurrency 8]`
// One cluster of 3 nodes, nginx x3 behind a LoadBalancer Service and an Ingress. Prints requests/s
// and latency p50/p99 through the load balancer (a new connection per request, like curl), the
// NodePort of one node, and the Ingress (keep-alive), plus localcloud's CPU time per request.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalCluster, startLocalcloud } from "../apps/localcloud/src/index.ts";

const argv = process.argv.slice(2);
const flag = (name: string, def: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const REQUESTS = flag("requests", 2000);
const CONCURRENCY = flag("concurrency", 8);
const ETCD_URL = process.env.ETCD_URL ?? "http://127.0.0.1:23799";

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function kubectl(kc: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile("/usr/bin/kubectl", ["--kubeconfig", kc, ...args], (err, stdout, stderr) =>
      err ? reject(new Error(`${args.join(" ")}: ${stderr}`)) : resolve(stdout),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

async function until<T>(fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    await sleep(300);
  }
  throw new Error("timed out");
}

async function load(
  label: string,
  host: string,
  port: number,
  headers: Record<string, string>,
  keepAlive: boolean,
): Promise<void> {
  const agent = new http.Agent({ keepAlive, maxSockets: CONCURRENCY });
  const lat: number[] = [];
  let next = 0;
  let failed = 0;
  let firstFailure = "";
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        next++;
        const s = performance.now();
        const ok = await new Promise<boolean>((resolve) => {
          const req = http.get({ host, port, path: "/", headers, agent }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
              if (res.statusCode !== 200)
                firstFailure ||= `${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 200)}`;
              resolve(res.statusCode === 200);
            });
          });
          req.on("error", (e) => {
            firstFailure ||= e.message;
            resolve(false);
          });
        });
        if (!ok) failed++;
        lat.push(performance.now() - s);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();
  console.log(
    `${label.padEnd(34)} ${(REQUESTS / secs).toFixed(0).padStart(6)} req/s   p50 ${pct(lat, 50).toFixed(1)} ms   p99 ${pct(lat, 99).toFixed(1)} ms   ${((cpu.user + cpu.system) / REQUESTS).toFixed(0)} µs CPU/request (bench + localcloud)${failed ? `   ${failed} failed (${firstFailure})` : ""}`,
  );
}

const dir = mkdtempSync(join(tmpdir(), "nuage-bench-traffic-"));
const lc = await startLocalcloud({ dataDir: dir, etcdUrl: ETCD_URL, warmPool: 0 });
try {
  const cluster = await startLocalCluster({
    localcloud: { url: lc.url },
    name: `bench-traffic-${process.pid}`,
    nodes: 3,
    clustersDir: dir,
  });
  const kc = cluster.kubeconfigPath;
  await kubectl(kc, ["create", "deployment", "web", "--image=nginx:1.27", "--replicas=3", "--port=80"]);
  await kubectl(kc, ["expose", "deployment", "web", "--type=LoadBalancer", "--port=80"]);
  await kubectl(kc, ["create", "ingress", "web", "--rule=bench.local/*=web:80"]);
  await until(
    async () =>
      (await kubectl(kc, ["get", "deploy", "web", "-o", "jsonpath={.status.readyReplicas}"])) === "3" || undefined,
  );
  const lbIp = await until(
    async () =>
      (await kubectl(kc, ["get", "svc", "web", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}"])) || undefined,
  );
  const nodePort = Number(await kubectl(kc, ["get", "svc", "web", "-o", "jsonpath={.spec.ports[0].nodePort}"]));
  const ingIp = await until(
    async () =>
      (await kubectl(kc, ["get", "ingress", "web", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}"])) ||
      undefined,
  );
  await sleep(1000);
  console.log(`${REQUESTS} requests, ${CONCURRENCY} concurrent, nginx x3 on 3 nodes`);
  await load("LoadBalancer (new connection each)", lbIp, 80, {}, false);
  await load("NodePort (new connection each)", cluster.vms[0]?.address ?? "", nodePort, {}, false);
  await load("Ingress (keep-alive)", ingIp, 80, { Host: "bench.local" }, true);
  await cluster.stop();
} finally {
  await lc.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
