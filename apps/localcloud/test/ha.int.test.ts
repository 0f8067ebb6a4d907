// HA control planes and in-place upgrades: three API-server processes on one etcd prefix behind
// localcloud's TCP balancer, controllers and scheduler leader-elected on Leases. Killing the
// leading process keeps the endpoint answering and the controllers fail over; an upgrade restarts
// the processes on the new version (one by one) with the data kept; HA off goes back to one.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderKubeconfig } from "@nuage/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlaneView, type CredentialsView, LocalcloudClient } from "../src/index.ts";
import { eventually, k, startTestCloud, type TestCloud, unique } from "./helpers.ts";

// Short leases so a failover takes seconds (upstream: 15 s / 10 s / 2 s).
process.env.NUAGE_LEADER_ELECTION_MS = "3000,2000,500";

type CpView = ControlPlaneView & {
  highAvailability: boolean;
  replicas: { desired: number; ready: number };
  runningVersions: string[];
  pids: number[];
};

let cloud: TestCloud;
let api: LocalcloudClient;
const cpId = unique("ha");
let kubeconfig: string;

beforeAll(async () => {
  cloud = await startTestCloud();
  api = new LocalcloudClient(cloud.lc.url, cloud.token);
});
afterAll(async () => {
  await api?.request("DELETE", `/v1/controlplanes/${cpId}`).catch(() => undefined);
  await cloud?.close();
});

const get = () => api.request<CpView>("GET", `/v1/controlplanes/${cpId}`);

async function settled(check: (cp: CpView) => boolean): Promise<CpView> {
  return eventually(async () => {
    const cp = await get();
    if (cp.status !== "Running" || !check(cp)) throw new Error(`${cp.status} ${JSON.stringify(cp.replicas)}`);
    return cp;
  }, 120_000);
}

const holder = async (lease: string) =>
  (await k(kubeconfig, ["-n", "kube-system", "get", "lease", lease, "-o", "jsonpath={.spec.holderIdentity}"])).trim();

describe("HA control plane", () => {
  it("survives the loss of the leading API server, upgrades in place, and goes back to one", async () => {
    await api.request("PUT", `/v1/controlplanes/${cpId}`, { version: "v1.32.0", highAvailability: true });
    const cp = await settled((c) => c.replicas.ready === 3);
    expect(cp.highAvailability).toBe(true);
    expect(cp.pids).toHaveLength(3);
    for (const i of [1, 2]) {
      await api.request("PUT", `/v1/vms/${cpId}-n${i}`, { flavor: "s-1vcpu-2gb", controlPlaneId: cpId });
    }
    const creds = await api.request<CredentialsView>("POST", `/v1/controlplanes/${cpId}/credentials`, {
      user: "nuage-admin",
      groups: ["system:masters"],
      ttlSeconds: 3600,
    });
    kubeconfig = join(cloud.dir, "ha.kubeconfig");
    writeFileSync(
      kubeconfig,
      renderKubeconfig({
        clusterName: cpId,
        server: cp.endpoint,
        caCertPem: cp.caCertPem,
        user: "nuage-admin",
        clientCertPem: creds.clientCertPem,
        clientKeyPem: creds.clientKeyPem,
      }),
    );
    await eventually(async () => {
      const text = await k(kubeconfig, ["get", "nodes", "--no-headers"]);
      if (text.split("\n").filter((l) => /\sReady\s/.test(l)).length !== 2) throw new Error(text);
    }, 90_000);

    // One process leads the controllers; kill it (SIGKILL: no release of its Lease).
    const leader = await eventually(async () => {
      const h = await holder("kube-controller-manager");
      if (!h) throw new Error("no leader yet");
      return h;
    });
    const index = Number(/-(\d+)_[0-9a-f]+$/.exec(leader)?.[1]);
    expect([0, 1, 2]).toContain(index);
    const { pids } = await get();
    const before = cp.pids;
    expect(pids).toEqual(before);
    const leaderPid = before[index]!;
    process.kill(leaderPid, "SIGKILL");

    // The endpoint keeps answering through the balancer…
    const nodes = await k(kubeconfig, ["get", "nodes", "--no-headers"]);
    expect(nodes).toContain(`${cpId}-n1`);
    // …and another process takes the controllers over: a new Deployment gets its pods.
    await eventually(async () => {
      const h = await holder("kube-controller-manager");
      if (!h || h === leader) throw new Error(`still ${h}`);
    }, 30_000);
    await k(kubeconfig, ["create", "deployment", "web", "--image=nginx", "--replicas=2"]);
    await eventually(async () => {
      const out = await k(kubeconfig, ["get", "pods", "-l", "app=web", "--no-headers"]);
      const running = out.split("\n").filter((l) => /\sRunning\s/.test(l));
      if (running.length !== 2) throw new Error(out);
    }, 60_000);
    // The killed process is restarted by the supervisor.
    await settled((c) => c.replicas.ready === 3 && !c.pids.includes(leaderPid));

    // In-place upgrade: processes restarted one by one on the new version; the data stays.
    const up = await api.request<CpView>("PATCH", `/v1/controlplanes/${cpId}`, { version: "v1.33.1" });
    expect(up.status).toBe("Upgrading");
    const upgraded = await settled((c) => c.runningVersions.join() === "v1.33.1" && c.replicas.ready === 3);
    expect(upgraded.version).toBe("v1.33.1");
    const version = JSON.parse(await k(kubeconfig, ["get", "--raw", "/version"])) as { gitVersion: string };
    expect(version.gitVersion).toBe("v1.33.1");
    expect(await k(kubeconfig, ["get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"])).toBe("2");

    // HA off: one process on the endpoint again; same data.
    await api.request("PATCH", `/v1/controlplanes/${cpId}`, { highAvailability: false });
    const single = await settled((c) => !c.highAvailability && c.replicas.ready === 1);
    expect(single.pids).toHaveLength(1);
    expect(single.endpoint).toBe(cp.endpoint);
    await eventually(() => k(kubeconfig, ["get", "deployment", "web", "--no-headers"]), 30_000);
  }, 300_000);
});
