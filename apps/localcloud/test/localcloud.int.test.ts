// The first done-when: a control plane and three VMs created through localcloud's HTTP
// API, an admin kubeconfig, and `kubectl get nodes` showing three Ready nodes.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderKubeconfig } from "@nuage/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ControlPlaneView,
  type CredentialsView,
  LocalcloudClient,
  LocalcloudError,
  startLocalcloud,
  type VmView,
} from "../src/index.ts";
import { ETCD_URL, eventually, KUBECTLS, k, kubectl, startTestCloud, type TestCloud, unique } from "./helpers.ts";

let cloud: TestCloud;
let api: LocalcloudClient;
const cpId = unique("cp");
let kubeconfig: string;

beforeAll(async () => {
  cloud = await startTestCloud();
  api = new LocalcloudClient(cloud.lc.url, cloud.token);
});
afterAll(async () => {
  await api?.request("DELETE", `/v1/controlplanes/${cpId}`).catch(() => undefined);
  await cloud?.close();
});

describe("localcloud HTTP API", () => {
  it("refuses calls without the bearer token", async () => {
    const anon = new LocalcloudClient(cloud.lc.url);
    await expect(anon.request("GET", "/v1/vms")).rejects.toMatchObject({ status: 401 });
    const doc = await anon.request<{ openapi: string; paths: Record<string, unknown> }>("GET", "/openapi.json");
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/v1/vms/{id}");
  });

  it("creates a control plane and three VMs whose nodes become Ready for kubectl", async () => {
    const cp = await api.request<ControlPlaneView>("PUT", `/v1/controlplanes/${cpId}`, { version: "v1.32.0" });
    expect(cp.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    for (const i of [1, 2, 3]) {
      await api.request<VmView>("PUT", `/v1/vms/${cpId}-n${i}`, { flavor: "s-2vcpu-4gb", controlPlaneId: cpId });
    }
    // A retried create returns the same VM, never a second one.
    const again = await api.request<VmView>("PUT", `/v1/vms/${cpId}-n1`, {
      flavor: "s-2vcpu-4gb",
      controlPlaneId: cpId,
    });
    expect(again.id).toBe(`${cpId}-n1`);
    const vms = await api.request<{ items: VmView[] }>("GET", `/v1/vms?controlPlaneId=${cpId}`);
    expect(vms.items).toHaveLength(3);
    expect(new Set(vms.items.map((v) => v.zone)).size).toBe(3);

    const creds = await api.request<CredentialsView>("POST", `/v1/controlplanes/${cpId}/credentials`, {
      user: "nuage-admin",
      groups: ["system:masters"],
      ttlSeconds: 3600,
    });
    kubeconfig = join(cloud.dir, "admin.kubeconfig");
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
    for (const bin of KUBECTLS) {
      const out = await eventually(async () => {
        const text = await k(kubeconfig, ["get", "nodes", "--no-headers"], { bin });
        const ready = text.split("\n").filter((l) => /\sReady\s/.test(l));
        if (ready.length !== 3) throw new Error(`ready nodes: ${ready.length}\n${text}`);
        return text;
      }, 90_000);
      for (const i of [1, 2, 3]) expect(out).toContain(`${cpId}-n${i}`);
    }
    const wide = await k(kubeconfig, ["get", "nodes", "-o", "wide"]);
    expect(wide).toContain("containerd://1.7");
    const labels = await k(kubeconfig, ["get", "node", `${cpId}-n1`, "-o", "jsonpath={.metadata.labels}"]);
    expect(labels).toContain('"node.kubernetes.io/instance-type":"s-2vcpu-4gb"');
    expect(labels).toContain('"topology.kubernetes.io/region":"local-1"');
  });

  it("reports capacity exhaustion as a clear 409", async () => {
    const err = await api
      .request("PUT", `/v1/vms/${unique("huge")}`, { flavor: "c-8vcpu-16gb", zone: "local-1z" })
      .catch((e: LocalcloudError) => e);
    expect(err).toBeInstanceOf(LocalcloudError);
    expect((err as LocalcloudError).message).toContain("zone local-1z does not exist");
  });

  it("revokes an issued credential", async () => {
    const creds = await api.request<CredentialsView>("POST", `/v1/controlplanes/${cpId}/credentials`, {
      user: "alice",
      groups: ["system:masters"],
      ttlSeconds: 600,
    });
    const res = await api.request<{ revoked: boolean }>("POST", `/v1/controlplanes/${cpId}/revocations`, {
      serialNumber: creds.serialNumber,
    });
    expect(res.revoked).toBe(true);
  });

  it("restarts a crashed control plane with its state", async () => {
    const before = await api.request<ControlPlaneView>("GET", `/v1/controlplanes/${cpId}`);
    expect(before.pid).toBeGreaterThan(0);
    process.kill(before.pid as number, "SIGKILL");
    await eventually(async () => {
      const cp = await api.request<ControlPlaneView & { restarts: number }>("GET", `/v1/controlplanes/${cpId}`);
      if (cp.restarts < 1 || cp.status !== "Running") throw new Error(`status ${cp.status}`);
    }, 60_000);
    const out = await eventually(() => k(kubeconfig, ["get", "nodes", "--no-headers"]), 30_000);
    expect(out.split("\n").filter(Boolean)).toHaveLength(3);
    // The node agents' watches reconnected: new pods run on every node.
    await k(kubeconfig, ["create", "deployment", "after-crash", "--image=nginx", "--replicas=6"]);
    await eventually(async () => {
      const o = await k(kubeconfig, ["get", "pods", "-l", "app=after-crash", "--no-headers"]);
      if ((o.match(/1\/1\s+Running/g) ?? []).length !== 6) throw new Error(o);
    });
    await k(kubeconfig, ["delete", "deployment", "after-crash"]);
  });

  it("stopping a VM makes its node NotReady", async () => {
    await api.request("POST", `/v1/vms/${cpId}-n3/stop`);
    await eventually(async () => {
      const r = await kubectl(kubeconfig, ["get", "node", `${cpId}-n3`, "--no-headers"]);
      if (!r.stdout.includes("NotReady")) throw new Error(r.stdout);
    }, 60_000);
    await api.request("POST", `/v1/vms/${cpId}-n3/start`);
    await eventually(async () => {
      const r = await kubectl(kubeconfig, ["get", "node", `${cpId}-n3`, "--no-headers"]);
      if (!/\sReady\s/.test(r.stdout)) throw new Error(r.stdout);
    }, 60_000);
  });

  it("a localcloud restart keeps its clusters, nodes and pods (same pod IP)", async () => {
    await k(kubeconfig, ["run", "survivor", "--image=redis"]);
    const ip = await eventually(async () => {
      const out = await k(kubeconfig, ["get", "pod", "survivor", "-o", "jsonpath={.status.phase} {.status.podIP}"]);
      const [phase, podIP] = out.split(" ");
      if (phase !== "Running" || !podIP) throw new Error(out);
      return podIP;
    });
    await cloud.lc.close();
    cloud.lc = await startLocalcloud({ dataDir: cloud.dir, etcdUrl: ETCD_URL, token: cloud.token });
    api = new LocalcloudClient(cloud.lc.url, cloud.token);
    const vms = await api.request<{ items: VmView[] }>("GET", `/v1/vms?controlPlaneId=${cpId}`);
    expect(vms.items).toHaveLength(3);
    await eventually(async () => {
      const text = await k(kubeconfig, ["get", "nodes", "--no-headers"]);
      if (text.split("\n").filter((l) => /\sReady\s/.test(l)).length !== 3) throw new Error(text);
    }, 90_000);
    await eventually(async () => {
      const out = await k(kubeconfig, ["get", "pod", "survivor", "-o", "jsonpath={.status.phase} {.status.podIP}"]);
      if (out !== `Running ${ip}`) throw new Error(out);
    });
  });
});
