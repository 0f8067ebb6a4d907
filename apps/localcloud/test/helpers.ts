// Shared set-up of the localcloud integration tests: an in-process localcloud on a free port
// (real control-plane processes, real etcd), real kubectl binaries, unique names.
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type EmbeddedLocalcloud, type LocalCluster, startLocalCluster, startLocalcloud } from "../src/index.ts";

export const ETCD_URL = process.env.ETCD_URL ?? "http://127.0.0.1:23799";

export const KUBECTLS = [
  "/usr/bin/kubectl",
  "/usr/lib/google-cloud-sdk/bin/kubectl.1.27",
  "/usr/lib/google-cloud-sdk/bin/kubectl.1.33",
].filter((p) => existsSync(p));

export const unique = (prefix: string) => `${prefix}-${randomBytes(3).toString("hex")}`;

export interface TestCloud {
  lc: EmbeddedLocalcloud;
  dir: string;
  token: string;
  close(): Promise<void>;
}

export async function startTestCloud(): Promise<TestCloud> {
  const dir = mkdtempSync(join(tmpdir(), "nuage-lc-test-"));
  const token = randomBytes(24).toString("hex");
  const lc = await startLocalcloud({ dataDir: dir, etcdUrl: ETCD_URL, token });
  const tc: TestCloud = {
    lc,
    dir,
    token,
    async close() {
      // tc.lc: a test may have restarted localcloud on the same data directory.
      await tc.lc.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return tc;
}

/** One cluster for a whole test file (creating one costs a control-plane process). */
export async function startTestCluster(
  nodes = 3,
): Promise<{ cloud: TestCloud; cluster: LocalCluster; close(): Promise<void> }> {
  const cloud = await startTestCloud();
  try {
    const cluster = await startLocalCluster({
      localcloud: { url: cloud.lc.url, token: cloud.token },
      name: unique("lc"),
      nodes,
      clustersDir: cloud.dir,
      timeoutMs: 90_000,
    });
    return {
      cloud,
      cluster,
      async close() {
        await cluster.stop();
        await cloud.close();
      },
    };
  } catch (err) {
    await cloud.close();
    throw err;
  }
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectl(
  kubeconfig: string,
  args: string[],
  opts: { bin?: string; input?: string } = {},
): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      opts.bin ?? "/usr/bin/kubectl",
      ["--kubeconfig", kubeconfig, ...args],
      { timeout: 60_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === "number"
            ? (err as { code: number }).code
            : 1
          : 0;
        resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
      },
    );
    if (opts.input !== undefined) {
      child.stdin?.write(opts.input);
      child.stdin?.end();
    }
  });
}

/**
 * `kubectl … -w` as a user runs it: every line it prints until `done(line)` holds (or the timeout
 * passes, which rejects with the lines seen). Polling instead could miss a short-lived state.
 */
export function watchLines(
  kubeconfig: string,
  args: string[],
  done: (line: string) => boolean,
  timeoutMs = 60_000,
): Promise<string[]> {
  const child = spawn("/usr/bin/kubectl", ["--kubeconfig", kubeconfig, ...args, "-w"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const seen: string[] = [];
  return new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`kubectl ${args.join(" ")} -w: timed out; saw:\n${seen.join("\n")}`));
    }, timeoutMs);
    let buf = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      buf += chunk;
      for (let end = buf.indexOf("\n"); end >= 0; end = buf.indexOf("\n")) {
        const line = buf.slice(0, end);
        buf = buf.slice(end + 1);
        seen.push(line);
        if (done(line)) {
          clearTimeout(timer);
          child.kill();
          resolve(seen);
          return;
        }
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`kubectl ${args.join(" ")} -w exited (${code}); saw:\n${seen.join("\n")}`));
    });
  });
}

/** kubectl that must succeed: returns stdout, or throws with kubectl's own error. */
export async function k(
  kubeconfig: string,
  args: string[],
  opts: { bin?: string; input?: string } = {},
): Promise<string> {
  const r = await kubectl(kubeconfig, args, opts);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 60_000, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await fn();
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw last instanceof Error ? last : new Error(String(last));
}

export function writeTemp(dir: string, name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}
