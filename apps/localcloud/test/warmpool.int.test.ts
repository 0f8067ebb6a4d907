// The warm pool: control-plane processes started ahead with the code loaded; a create hands one its
// config over stdin instead of starting a process, and the pool refills. Nothing leaks.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderKubeconfig } from "@nuage/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureControlPlaneBundle } from "../../../packages/controlplane/scripts/bundle.ts";
import {
  type ControlPlaneView,
  type CredentialsView,
  type EmbeddedLocalcloud,
  LocalcloudClient,
  startLocalcloud,
} from "../src/index.ts";
import { ETCD_URL, eventually, k, unique } from "./helpers.ts";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let dir: string;
let lc: EmbeddedLocalcloud;
let api: LocalcloudClient;
const token = "warm-pool-test-token-0123456789";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "nuage-lc-pool-"));
  lc = await startLocalcloud({ dataDir: dir, etcdUrl: ETCD_URL, token, warmPool: 1 });
  api = new LocalcloudClient(lc.url, token);
});
afterAll(async () => {
  await lc?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("warm control-plane pool", () => {
  it("hands a create a pre-started process, serves the cluster, refills, and leaks nothing on close", async () => {
    await lc.cloud.supervisor.warmPoolReady(90_000);
    const [standby] = lc.cloud.supervisor.warmPool().pids;
    expect(standby).toBeGreaterThan(0);
    expect(readFileSync(`/proc/${standby}/cmdline`, "utf8")).toContain("--standby");

    const id = unique("cp");
    const cp0 = await api.request<ControlPlaneView>("PUT", `/v1/controlplanes/${id}`, { version: "v1.32.0" });
    // Asked again (a retried create): the same control plane, no second process.
    const again = await api.request<ControlPlaneView>("PUT", `/v1/controlplanes/${id}`, { version: "v1.32.0" });
    expect(again.endpoint).toBe(cp0.endpoint);
    const cp = await eventually(async () => {
      const v = await api.request<ControlPlaneView>("GET", `/v1/controlplanes/${id}`);
      if (v.status !== "Running") throw new Error(v.status);
      return v;
    }, 90_000);
    expect(cp.pid).toBe(standby);
    expect(cp.pids).toEqual([standby]);

    // It serves this cluster (its CA, its bootstrap token): a VM joins and kubectl sees it Ready.
    await api.request("PUT", `/v1/vms/${id}-n1`, { flavor: "s-1vcpu-2gb", controlPlaneId: id });
    const creds = await api.request<CredentialsView>("POST", `/v1/controlplanes/${id}/credentials`, {
      user: "admin",
      groups: ["system:masters"],
      ttlSeconds: 600,
    });
    const kubeconfig = join(dir, "admin.kubeconfig");
    writeFileSync(
      kubeconfig,
      renderKubeconfig({
        clusterName: id,
        server: cp.endpoint,
        caCertPem: cp.caCertPem,
        user: "admin",
        clientCertPem: creds.clientCertPem,
        clientKeyPem: creds.clientKeyPem,
      }),
    );
    await eventually(async () => {
      const text = await k(kubeconfig, ["get", "nodes", "--no-headers"]);
      if (!/\sReady\s/.test(text)) throw new Error(text);
    }, 90_000);

    // The pool refills in the background with a new process.
    const refill = await eventually(async () => {
      const p = lc.cloud.supervisor.warmPool();
      if (p.loaded !== 1) throw new Error(`loaded: ${p.loaded}`);
      return p.pids[0] as number;
    }, 90_000);
    expect(refill).not.toBe(standby);

    await lc.close();
    await eventually(async () => {
      expect(alive(standby as number)).toBe(false);
      expect(alive(refill)).toBe(false);
    }, 15_000);
    lc = await startLocalcloud({ dataDir: dir, etcdUrl: ETCD_URL, token, warmPool: 0 });
    await lc.cloud.deleteControlPlane(id);
  }, 300_000);

  it("a standby whose stdin closes before it got a config exits", async () => {
    const entry = await ensureControlPlaneBundle();
    const child = spawn(process.execPath, [entry, "--standby", dir], { stdio: ["pipe", "pipe", "inherit"] });
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (b: Buffer) => {
        if (b.toString().includes('"standby"')) resolve();
      });
    });
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    child.stdin.end();
    expect(await exited).toBe(0);
  }, 120_000);
});
