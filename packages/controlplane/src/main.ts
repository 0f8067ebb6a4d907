// Control-plane process entry: node <bundle> --config <file.json>, or --standby (below).
// Prints {"event":"ready","port":N} on stdout once serving; exits cleanly on SIGTERM/SIGINT.
//
// --standby: a warm process of localcloud's pool. The code is loaded (the bulk of a start-up), then
// it prints {"event":"standby"} and waits for its config as one JSON line on stdin; localcloud hands
// it a cluster's config when a create arrives. stdin ending before that (localcloud gone or the
// pool shrunk) ends it.
import { fstatSync, readFileSync } from "node:fs";
import { type ControlPlaneConfig, startControlPlane } from "./server.ts";

function fail(message: string): never {
  console.error(JSON.stringify({ event: "error", message }));
  process.exit(1);
}

/** The first line on stdin; the process exits when stdin ends before it. */
function configFromStdin(): Promise<string> {
  return new Promise((resolve) => {
    let buf = "";
    const onData = (chunk: Buffer) => {
      buf += chunk.toString("utf8");
      const nl = buf.indexOf("\n");
      if (nl < 0) return;
      process.stdin.off("data", onData);
      process.stdin.off("end", onEnd);
      process.stdin.pause();
      resolve(buf.slice(0, nl));
    };
    const onEnd = () => process.exit(0);
    process.stdin.on("data", onData);
    process.stdin.on("end", onEnd);
    process.stdin.resume();
  });
}

const standby = process.argv.includes("--standby");
const idx = process.argv.indexOf("--config");
const file = idx >= 0 ? process.argv[idx + 1] : undefined;
if (!file && !standby) fail("usage: main.ts --config <file.json> | --standby (config on stdin)");
let cfg: ControlPlaneConfig;
let raw: string;
if (standby) {
  console.log(JSON.stringify({ event: "standby" }));
  raw = await configFromStdin();
} else {
  try {
    raw = readFileSync(file as string, "utf8");
  } catch (e) {
    fail(`cannot read config ${file}: ${(e as Error).message}`);
  }
}
try {
  cfg = JSON.parse(raw);
} catch (e) {
  fail(`cannot parse config ${file ?? "(stdin)"}: ${(e as Error).message}`);
}
for (const k of ["name", "etcd", "listen", "tls", "serviceAccountKeyPem", "encryptionKeyBase64"] as const) {
  if (!cfg[k]) fail(`config field "${k}" is required`);
}

if (process.env.NUAGE_APISERVER_DEBUG === "1") cfg.logClientErrors = true;
const log = (msg: string) => console.error(JSON.stringify({ event: "log", cluster: cfg.name, msg }));
const cp = await startControlPlane(cfg, log).catch((e) => fail(`start failed: ${(e as Error).message}`));
console.log(JSON.stringify({ event: "ready", port: cp.port }));

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  const t = setTimeout(() => process.exit(0), 10_000);
  t.unref();
  await cp.stop().catch(() => {});
  process.exit(0);
};
process.on("SIGTERM", shutdown);
// A stray rejection (a client gone mid-request...) must not take the whole control plane down.
process.on("unhandledRejection", (e) => {
  console.error(JSON.stringify({ event: "unhandledRejection", message: String((e as Error)?.message ?? e) }));
});
process.on("SIGINT", shutdown);
// `kill -USR2 <pid>`: memory figures on stderr (the control-plane log), for the benchmark.
process.on("SIGUSR2", async () => {
  const { getHeapSpaceStatistics } = await import("node:v8");
  const mib = (n: number) => Math.round((n / 1048576) * 10) / 10;
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, mib(s.space_used_size)]));
  const m = process.memoryUsage();
  console.error(
    JSON.stringify({
      event: "memory",
      rss: mib(m.rss),
      heapTotal: mib(m.heapTotal),
      heapUsed: mib(m.heapUsed),
      external: mib(m.external),
      spaces,
    }),
  );
});
// The supervisor (localcloud) gives us a stdin pipe it writes nothing (more) to: when it ends, the
// supervisor is gone (even by SIGKILL), and a control plane nobody supervises must not linger.
const stdin = fstatSync(0);
if (stdin.isFIFO() || stdin.isSocket()) {
  process.stdin.on("end", shutdown);
  process.stdin.resume();
}
