// Integration-test harness: a private localcloud (temp dir, random port, token), the platform's
// provider pointed at it, helpers to wait for clusters and to run the real kubectl.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type EmbeddedLocalcloud, startLocalcloud } from "@nuage/localcloud";
import { LocalProvider, setProvider } from "@nuage/providers";

const exec = promisify(execFile);
export const ETCD_URL = process.env.ETCD_URL ?? "http://127.0.0.1:23799";
export const KUBECTL = process.env.KUBECTL ?? "/usr/bin/kubectl";

export interface Cloud {
  lc: EmbeddedLocalcloud;
  dir: string;
  provider: LocalProvider;
  close(): Promise<void>;
}

export async function startCloud(): Promise<Cloud> {
  const dir = await mkdtemp(join(tmpdir(), "nuage-clusters-"));
  const token = randomBytes(16).toString("hex");
  const lc = await startLocalcloud({ dataDir: dir, etcdUrl: ETCD_URL, token });
  const provider = new LocalProvider({ url: lc.url, token });
  setProvider(provider);
  process.env.NUAGE_LOCALCLOUD_URL = lc.url;
  process.env.NUAGE_LOCALCLOUD_TOKEN = token;
  return {
    lc,
    dir,
    provider,
    async close() {
      await lc.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 60_000, everyMs = 500): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      return await fn();
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw last instanceof Error ? last : new Error(String(last));
}

export async function writeKubeconfig(dir: string, text: string): Promise<string> {
  const path = join(dir, `kubeconfig-${randomBytes(4).toString("hex")}`);
  await writeFile(path, text, { mode: 0o600 });
  return path;
}

/** Runs kubectl; resolves with stdout, or rejects with its stderr. */
export async function kubectl(kubeconfig: string, args: string[]): Promise<string> {
  try {
    const r = await exec(KUBECTL, ["--kubeconfig", kubeconfig, "--request-timeout=10s", ...args]);
    return r.stdout.trim();
  } catch (e) {
    throw new Error((e as { stderr?: string }).stderr || (e as Error).message);
  }
}

export async function readyNodes(kubeconfig: string): Promise<string[]> {
  const out = await kubectl(kubeconfig, ["get", "nodes", "-o", "json"]);
  const list = JSON.parse(out) as {
    items: { metadata: { name: string }; status: { conditions?: { type: string; status: string }[] } }[];
  };
  return list.items
    .filter((n) => n.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
    .map((n) => n.metadata.name)
    .sort();
}
