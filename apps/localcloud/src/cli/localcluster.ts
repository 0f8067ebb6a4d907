// `npm run localcluster -- up|down|list [--name N] [--nodes 3] [--flavor F] [--version V]`
import { spawn } from "node:child_process";
import { mkdirSync, openSync } from "node:fs";
import { join, resolve } from "node:path";
import { LocalcloudClient } from "../api-client.ts";
import { REPO_ROOT } from "../controlplanes.ts";
import { loadEnv } from "../env.ts";
import { listLocalClusters, startLocalCluster, stopLocalCluster } from "../localcluster.ts";

function args(argv: string[]): { cmd: string; flags: Record<string, string> } {
  const [cmd = "help", ...rest] = argv;
  const flags: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] ?? "";
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf("=");
    if (eq > 0) flags[a.slice(2, eq)] = a.slice(eq + 1);
    else flags[a.slice(2)] = rest[++i] ?? "";
  }
  return { cmd, flags };
}

const env = loadEnv({ NUAGE_DATA_DIR: resolve(REPO_ROOT, ".data"), ...process.env });
const dataDir = env.dataRoot;
const port = env.port;
const token = env.token;
const localcloud = { url: `http://127.0.0.1:${port}`, token };
const clustersDir = join(dataDir, "localclusters");

/** Starts localcloud in the background (detached, logging to .data/logs/) unless it answers. */
async function ensureLocalcloud(): Promise<void> {
  const api = new LocalcloudClient(localcloud.url, token);
  if (await api.healthy()) return;
  const logs = join(dataDir, "logs");
  mkdirSync(logs, { recursive: true });
  const out = openSync(join(logs, "localcloud.log"), "a");
  const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "apps/localcloud/src/main.ts")], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ["ignore", out, out],
    env: { ...process.env, NUAGE_DATA_DIR: dataDir },
  });
  child.unref();
  console.log(`started localcloud (pid ${child.pid}) on ${localcloud.url}; logs in ${join(logs, "localcloud.log")}`);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await api.healthy()) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`localcloud did not answer on ${localcloud.url} within 30s (see ${join(logs, "localcloud.log")})`);
}

async function main(): Promise<void> {
  const { cmd, flags } = args(process.argv.slice(2));
  const name = flags.name || "local";
  if (cmd === "up") {
    await ensureLocalcloud();
    const nodes = flags.nodes ? Number(flags.nodes) : 3;
    if (!Number.isInteger(nodes) || nodes < 1 || nodes > 20) throw new Error("--nodes must be an integer from 1 to 20");
    const started = Date.now();
    const c = await startLocalCluster({
      localcloud,
      name,
      nodes,
      flavor: flags.flavor,
      version: flags.version,
      clustersDir,
    });
    c.admin.close();
    console.log(`cluster ${name} is up: ${nodes} node(s) Ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    console.log(`API server: ${c.endpoint}`);
    console.log(`kubeconfig: ${c.kubeconfigPath}`);
    console.log(`try: kubectl --kubeconfig ${c.kubeconfigPath} get nodes`);
  } else if (cmd === "down") {
    if (!(await new LocalcloudClient(localcloud.url, token).healthy())) {
      throw new Error(`localcloud is not running on ${localcloud.url}`);
    }
    const existed = await stopLocalCluster({ localcloud, name, clustersDir });
    console.log(existed ? `cluster ${name} deleted` : `cluster ${name} does not exist`);
  } else if (cmd === "list") {
    if (!(await new LocalcloudClient(localcloud.url, token).healthy())) {
      console.log("localcloud is not running: no clusters");
      return;
    }
    const list = await listLocalClusters(localcloud);
    if (list.length === 0) console.log("no clusters; create one with: npm run localcluster -- up");
    for (const c of list) {
      const nodes = c.nodes.map((n) => `${n.name}(${n.agent})`).join(" ");
      console.log(`${c.name}\t${c.version}\t${c.status}\t${c.endpoint}\t${nodes}`);
    }
  } else {
    console.log("usage: npm run localcluster -- up|down|list [--name N] [--nodes 3] [--flavor F] [--version V]");
    if (cmd !== "help") process.exitCode = 2;
  }
}

main().catch((err: Error) => {
  console.error(`localcluster: ${err.message}`);
  process.exit(1);
});
