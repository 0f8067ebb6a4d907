// `npm start`: everything on one machine. Installs dependencies when missing, makes sure
// PostgreSQL, Redis and etcd are there, migrates, creates the first platform admin, builds the
// portal, then runs web (http://localhost:3000), worker and localcloud until Ctrl-C, which stops
// every child this started (services included).
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ensureDependencies, ensureServices, log, ROOT, stopServices } from "./services.mjs";

const PORT = process.env.PORT || "3000";
ensureDependencies();
const svc = await ensureServices({ database: "nuage" });
const env = {
  ...process.env,
  ...svc,
  NODE_ENV: "production",
  NUAGE_URL: process.env.NUAGE_URL || `http://localhost:${PORT}`,
  NEXTAUTH_URL: process.env.NEXTAUTH_URL || process.env.NUAGE_URL || `http://localhost:${PORT}`,
  PATH: `${join(ROOT, "node_modules", ".bin")}:${process.env.PATH}`,
};

function runOnce(name, cmd, args) {
  log(name);
  const r = spawnSync(cmd, args, { cwd: ROOT, env, stdio: "inherit" });
  if (r.status !== 0) {
    log(`✘ ${name} failed`);
    return stopServices().then(() => process.exit(1));
  }
}

await runOnce("generating the database client", "npm", ["run", "generate", "-w", "@nuage/db", "--silent"]);
await runOnce("applying migrations", "tsx", ["packages/db/src/scripts/migrate.ts"]);
await runOnce("making sure a platform admin exists", "tsx", ["infra/first-admin.ts"]);
await runOnce("building the portal", "npm", ["run", "build", "-w", "@nuage/web", "--silent"]);

const children = [];
function startChild(name, cmd, args, { cwd = ROOT, extraEnv = {} } = {}) {
  const child = spawn(cmd, args, { cwd, env: { ...env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
  const prefix = `\x1b[35m[${name}]\x1b[0m `;
  for (const stream of [child.stdout, child.stderr]) {
    let buf = "";
    stream.on("data", (d) => {
      buf += d;
      const lines = buf.split("\n");
      buf = lines.pop() ?? "";
      for (const l of lines) process.stdout.write(prefix + l + "\n");
    });
  }
  child.on("exit", (code, sig) => {
    if (!shuttingDown) {
      log(`${name} stopped (${sig ?? code}); stopping everything`);
      shutdown(1);
    }
  });
  children.push(child);
}

let shuttingDown = false;
async function shutdown(code = 0) {
  if (shuttingDown) return;
  shuttingDown = true;
  log("stopping…");
  await Promise.all(
    children.map(
      (c) =>
        new Promise((res) => {
          if (c.exitCode !== null || c.signalCode !== null) return res();
          c.once("exit", res);
          c.kill("SIGTERM");
          setTimeout(() => {
            c.kill("SIGKILL");
            res();
          }, 10_000).unref();
        }),
    ),
  );
  await stopServices();
  process.exit(code);
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

if (existsSync(join(ROOT, "apps/localcloud/src/main.ts")))
  startChild("localcloud", "tsx", ["apps/localcloud/src/main.ts"]);
startChild("worker", "tsx", ["apps/worker/src/main.ts"]);
startChild("web", "next", ["start", "-p", PORT], { cwd: join(ROOT, "apps/web") });
log(`Nuage is starting on ${env.NUAGE_URL} — Ctrl-C stops everything`);
