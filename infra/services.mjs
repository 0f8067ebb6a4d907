// Service bootstrap shared by `npm start`, `npm test` and the operator scripts.
//
// Rule: a service given by URL (DATABASE_URL, REDIS_URL, ETCD_URL) is used as it is.
// Otherwise a private instance runs with its data under .data/, on a port of the project's
// own; it is reused when one is already listening there (a second `npm start`, or `npm test`
// beside it) and otherwise started as a child that `stopServices()` ends. Missing programs are
// installed from Debian's packages when we are root, or named for the user to install.
//
// Plain ESM on purpose: it runs before `npm ci`, with nothing but Node.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const DATA = join(ROOT, ".data");

export const PORTS = { postgres: 54329, redis: 63799, etcd: 23799, etcdPeer: 23800 };

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const children = [];

export function log(msg) {
  process.stdout.write(`\x1b[36m[nuage]\x1b[0m ${msg}\n`);
}

function fail(msg) {
  process.stderr.write(`\x1b[31m[nuage] ${msg}\x1b[0m\n`);
  process.exit(1);
}

function which(cmd) {
  const r = spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

let aptUpdated = false;
/** Installs Debian packages when root; otherwise tells the user exactly what to install. */
export function ensurePackages(packages, why) {
  if (!isRoot) {
    fail(
      `${why} is missing. Install it with:\n  sudo apt-get install -y ${packages.join(" ")}\nor set the matching URL.`,
    );
  }
  log(`installing ${packages.join(" ")} from Debian's packages (${why})`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (!aptUpdated) {
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    aptUpdated = true;
  }
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...packages], { stdio: "inherit", env });
}

export function portOpen(port, host = "127.0.0.1") {
  return new Promise((res) => {
    const s = net.connect({ port, host });
    s.once("connect", () => {
      s.destroy();
      res(true);
    });
    s.once("error", () => res(false));
    s.setTimeout(500, () => {
      s.destroy();
      res(false);
    });
  });
}

async function waitFor(what, check, timeoutMs = 30_000) {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  fail(`${what} did not become ready within ${timeoutMs / 1000}s (see .data/logs/)`);
}

function startChild(name, cmd, args, { uid, gid, stopSignal = "SIGTERM" } = {}) {
  mkdirSync(join(DATA, "logs"), { recursive: true });
  const out = join(DATA, "logs", `${name}.log`);
  const fd = openLog(out);
  const child = spawn(cmd, args, { stdio: ["ignore", fd, fd], detached: true, uid, gid });
  child.on("exit", (code, sig) => {
    if (!stopping) log(`${name} exited (${sig ?? code}); its log is ${out}`);
  });
  children.push({ name, child, stopSignal });
  return child;
}

function openLog(path) {
  return openSync(path, "a");
}

// ---------------------------------------------------------------- PostgreSQL
function postgresBin() {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .map(Number)
    .filter((v) => v >= 15)
    .sort((a, b) => b - a);
  for (const v of versions) {
    const bin = join(base, String(v), "bin");
    if (existsSync(join(bin, "postgres")) && existsSync(join(bin, "initdb"))) return bin;
  }
  return null;
}

function pgUser() {
  if (!isRoot) return { name: process.env.USER || "postgres" };
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  return { name: "postgres", uid, gid };
}

async function ensurePostgres() {
  let bin = postgresBin();
  if (!bin) {
    ensurePackages(["postgresql"], "PostgreSQL 15+");
    bin = postgresBin();
    if (!bin) fail("PostgreSQL was installed but its binaries were not found under /usr/lib/postgresql");
  }
  const user = pgUser();
  const dir = join(DATA, "postgres");
  const sock = join(DATA, "postgres-run");
  mkdirSync(DATA, { recursive: true });
  for (const d of [dir, sock]) {
    mkdirSync(d, { recursive: true });
    if (user.uid !== undefined) execFileSync("chown", [`${user.uid}:${user.gid}`, d]);
  }
  chmodSync(dir, 0o700);
  const asPg = { uid: user.uid, gid: user.gid };
  if (!existsSync(join(dir, "PG_VERSION"))) {
    log("initialising a private PostgreSQL in .data/postgres");
    execFileSync(join(bin, "initdb"), ["-D", dir, "-U", user.name, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"], {
      stdio: "ignore",
      ...asPg,
    });
  }
  if (!(await portOpen(PORTS.postgres))) {
    log(`starting PostgreSQL on 127.0.0.1:${PORTS.postgres}`);
    startChild(
      "postgres",
      join(bin, "postgres"),
      [
        "-D",
        dir,
        "-p",
        String(PORTS.postgres),
        "-k",
        sock,
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "max_connections=300",
        "-c",
        "fsync=off",
      ],
      { ...asPg, stopSignal: "SIGINT" },
    );
    await waitFor(
      "PostgreSQL",
      () => spawnSync(join(bin, "pg_isready"), ["-h", "127.0.0.1", "-p", String(PORTS.postgres)]).status === 0,
    );
  }
  const psql = (sql) =>
    execFileSync(
      join(bin, "psql"),
      ["-h", "127.0.0.1", "-p", String(PORTS.postgres), "-U", user.name, "-d", "postgres", "-tAc", sql],
      {
        encoding: "utf8",
        ...asPg,
      },
    ).trim();
  if (psql("select 1 from pg_roles where rolname='nuage'") !== "1") {
    psql("create role nuage login password 'nuage' createdb");
  }
  for (const db of ["nuage", "nuage_test"]) {
    if (psql(`select 1 from pg_database where datname='${db}'`) !== "1") psql(`create database ${db} owner nuage`);
  }
  return `postgresql://nuage:nuage@127.0.0.1:${PORTS.postgres}/nuage`;
}

// ---------------------------------------------------------------- Redis
async function ensureRedis() {
  if (!which("redis-server")) ensurePackages(["redis-server"], "Redis 7");
  if (!(await portOpen(PORTS.redis))) {
    const dir = join(DATA, "redis");
    mkdirSync(dir, { recursive: true });
    log(`starting Redis on 127.0.0.1:${PORTS.redis}`);
    startChild("redis", "redis-server", [
      "--port",
      String(PORTS.redis),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "60 1",
      "--appendonly",
      "no",
      "--daemonize",
      "no",
    ]);
    await waitFor("Redis", () => portOpen(PORTS.redis));
  }
  return `redis://127.0.0.1:${PORTS.redis}`;
}

// ---------------------------------------------------------------- etcd
async function ensureEtcd() {
  if (!which("etcd")) ensurePackages(["etcd-server", "etcd-client"], "etcd");
  if (!(await portOpen(PORTS.etcd))) {
    const dir = join(DATA, "etcd");
    mkdirSync(dir, { recursive: true });
    const client = `http://127.0.0.1:${PORTS.etcd}`;
    const peer = `http://127.0.0.1:${PORTS.etcdPeer}`;
    log(`starting etcd on ${client}`);
    startChild("etcd", "etcd", [
      "--name",
      "nuage",
      "--data-dir",
      dir,
      "--listen-client-urls",
      client,
      "--advertise-client-urls",
      client,
      "--listen-peer-urls",
      peer,
      "--initial-advertise-peer-urls",
      peer,
      "--initial-cluster",
      `nuage=${peer}`,
      "--auto-compaction-retention",
      "1h",
      "--quota-backend-bytes",
      String(4 * 1024 ** 3),
    ]);
    await waitFor("etcd", async () => {
      try {
        const r = await fetch(`${client}/health`);
        return r.ok;
      } catch {
        return false;
      }
    });
  }
  return `http://127.0.0.1:${PORTS.etcd}`;
}

// ---------------------------------------------------------------- secrets for development
/** Master key and auth secret for this checkout, made once, kept in .data/ (never committed). */
function ensureLocalSecrets() {
  mkdirSync(DATA, { recursive: true });
  const file = join(DATA, "secrets.json");
  let s = {};
  if (existsSync(file)) s = JSON.parse(readFileSync(file, "utf8"));
  let changed = false;
  for (const k of ["NUAGE_MASTER_KEY", "NEXTAUTH_SECRET", "NUAGE_LOCALCLOUD_TOKEN"]) {
    if (!s[k]) {
      s[k] = randomBytes(32).toString("base64");
      changed = true;
    }
  }
  if (changed) writeFileSync(file, JSON.stringify(s, null, 2), { mode: 0o600 });
  return s;
}

export function ensureChromium() {
  if (existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  ensurePackages(["chromium"], "Chromium (for the end-to-end tests)");
  return "/usr/bin/chromium";
}

export function ensureDependencies() {
  const lock = join(ROOT, "package-lock.json");
  const marker = join(ROOT, "node_modules", ".package-lock.json");
  if (existsSync(marker) && (!existsSync(lock) || statSync(marker).mtimeMs >= statSync(lock).mtimeMs)) return;
  // `npm install`, not `npm ci`: the registry serves @biomejs/biome without its other platforms'
  // binaries, so the lock file cannot list them and `npm ci` refuses it as out of sync; `npm
  // install` follows the same lock file and leaves it unchanged.
  log("installing dependencies (npm install)");
  const r = spawnSync("npm", ["install", "--no-audit", "--no-fund"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (r.status !== 0) fail("npm could not install the dependencies");
}

/**
 * Makes PostgreSQL, Redis and etcd available and returns the environment every Nuage process
 * needs. `database` picks the database on the private server ("nuage" or "nuage_test").
 */
export async function ensureServices({ database = "nuage" } = {}) {
  const env = {};
  if (process.env.DATABASE_URL) env.DATABASE_URL = process.env.DATABASE_URL;
  else env.DATABASE_URL = (await ensurePostgres()).replace(/\/nuage$/, `/${database}`);
  env.REDIS_URL = process.env.REDIS_URL || (await ensureRedis());
  env.ETCD_URL = process.env.ETCD_URL || (await ensureEtcd());
  const secrets = ensureLocalSecrets();
  for (const [k, v] of Object.entries(secrets)) env[k] = process.env[k] || v;
  env.NUAGE_DATA_DIR = process.env.NUAGE_DATA_DIR || DATA;
  return env;
}

let stopping = false;
export async function stopServices() {
  stopping = true;
  const waits = children.map(
    ({ child, stopSignal }) =>
      new Promise((res) => {
        if (child.exitCode !== null || child.signalCode !== null) return res();
        child.once("exit", res);
        try {
          process.kill(-child.pid, stopSignal);
        } catch {
          res();
        }
        setTimeout(() => {
          try {
            process.kill(-child.pid, "SIGKILL");
          } catch {}
          res();
        }, 10_000).unref();
      }),
  );
  await Promise.all(waits);
}

export function startedAny() {
  return children.length > 0;
}
