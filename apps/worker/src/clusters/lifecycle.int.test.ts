// A tenant's journey through tRPC with the real worker processors and a real localcloud:
// create → running → kubeconfig → kubectl → resize → revoke → delete → nothing left behind.
import { getDb } from "@nuage/db";
import type { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanup,
  errorOf,
  signUpUser,
  type TestUser,
  uid,
  userCaller,
} from "../../../../packages/api/src/test/helpers.ts";
import { startClusterProcessors } from "./processor.ts";
import { type Cloud, eventually, kubectl, readyNodes, startCloud, writeKubeconfig } from "./test/harness.ts";

process.env.NUAGE_RECONCILE_EVERY_MS = "3600000";
process.env.NUAGE_TEST_MIN_CREDENTIAL_SECONDS = "60";

let cloud: Cloud;
let workers: Worker[] = [];
let owner: TestUser;

type Caller = Awaited<ReturnType<typeof userCaller>>;

async function waitStatus(caller: Caller, id: string, status: string, timeoutMs = 150_000) {
  return eventually(async () => {
    const c = await caller.clusters.get({ id });
    if (c.status === "error") throw Object.assign(new Error(`cluster error: ${c.statusMessage}`), { fatal: true });
    if (c.status !== status || c.currentOperation?.status === "running" || c.currentOperation?.status === "pending") {
      throw new Error(`status ${c.status}, operation ${c.currentOperation?.status}`);
    }
    return c;
  }, timeoutMs);
}

beforeAll(async () => {
  cloud = await startCloud();
  workers = await startClusterProcessors();
  owner = await signUpUser("clusters", { verified: true });
});

afterAll(async () => {
  await Promise.allSettled(workers.map((w) => w.close()));
  await cloud?.close();
  await cleanup();
});

describe("cluster lifecycle", () => {
  it("creates, serves kubectl, resizes, revokes and deletes a cluster, leaving nothing at the provider", async () => {
    const caller = await userCaller(owner.userId);
    const name = `c-${uid()}`;
    const created = await caller.clusters.create({
      name,
      version: "1.32",
      nodePools: [{ name: "workers", flavor: "s-1vcpu-2gb", count: 2, labels: { tier: "web" } }],
    });
    expect(created.status).toBe("provisioning");
    expect(created.currentOperation?.steps.map((s) => s.name)).toEqual([
      "certificate-authority",
      "control-plane",
      "datastore",
      "nodes",
      "add-ons",
      "ready",
    ]);
    // Same name in the same org is refused while the first one lives.
    const dup = await errorOf(() =>
      caller.clusters.create({ name, nodePools: [{ name: "p", flavor: "s-1vcpu-2gb", count: 1 }] }),
    );
    expect(dup.message).toContain(`named ${name} already exists`);

    const running = await waitStatus(caller, created.id, "running");
    expect(running.currentOperation?.steps.every((s) => s.status === "succeeded")).toBe(true);
    expect(running.readyNodeCount).toBe(2);
    expect(running.vcpus).toBe(2);

    const { kubeconfig, credential } = await caller.clusters.kubeconfig({ id: created.id, ttlHours: 2 });
    expect(credential.subject).toBe(owner.email);
    expect(credential.groups).toEqual(["nuage:owners"]);
    expect(kubeconfig).not.toContain("PRIVATE KEY"); // base64 inside the file, never plain
    const kc = await writeKubeconfig(cloud.dir, kubeconfig);
    const nodes = await readyNodes(kc);
    expect(nodes).toEqual(running.nodes.map((n) => n.name).sort());
    expect(await kubectl(kc, ["auth", "can-i", "create", "clusterrolebindings"])).toBe("yes");
    expect(await kubectl(kc, ["get", "nodes", "-l", "tier=web", "-o", "name"])).toContain("node/");

    // A short-lived credential (test minimum: 60 s) expires by itself.
    const short = await caller.clusters.kubeconfig({ id: created.id, ttlHours: 1, ttlSeconds: 60 });
    const shortKc = await writeKubeconfig(cloud.dir, short.kubeconfig);
    expect(await kubectl(shortKc, ["get", "ns", "-o", "name"])).toContain("namespace/default");

    // Scale up to 3, then down to 1 (drained first).
    await caller.clusters.update({
      id: created.id,
      nodePools: [{ name: "workers", flavor: "s-1vcpu-2gb", count: 3, labels: { tier: "web" } }],
    });
    await waitStatus(caller, created.id, "running");
    await eventually(async () => expect(await readyNodes(kc)).toHaveLength(3), 60_000);
    await caller.clusters.update({
      id: created.id,
      nodePools: [{ name: "workers", flavor: "s-1vcpu-2gb", count: 1, labels: { tier: "web" } }],
    });
    const scaled = await waitStatus(caller, created.id, "running");
    expect(scaled.currentOperation?.type).toBe("update");
    expect(scaled.nodes).toHaveLength(1);
    expect(await readyNodes(kc)).toEqual([scaled.nodes[0]!.name]);
    expect(await cloud.provider.listMachines({ clusterId: created.id })).toHaveLength(1);

    // Revocation: 401 within 5 seconds.
    await caller.credentials.revoke({ id: credential.id });
    const t0 = Date.now();
    await eventually(
      async () => {
        const r = await kubectl(kc, ["get", "ns"]).then(
          () => "ok",
          (e: Error) => e.message,
        );
        if (!/Unauthorized|401/i.test(r)) throw new Error(r);
      },
      5_000,
      250,
    );
    expect(Date.now() - t0).toBeLessThan(5_000);
    const creds = await caller.credentials.list({ clusterId: created.id });
    expect(creds.find((c) => c.id === credential.id)?.status).toBe("revoked");

    // Expiry of the 60-second credential.
    const wait = short.credential.expiresAt.getTime() + 2_000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await expect(kubectl(shortKc, ["get", "ns"])).rejects.toThrow(/Unauthorized|401|expired/i);

    // Delete: typed confirmation, then nothing is left at localcloud.
    const wrong = await errorOf(() => caller.clusters.delete({ id: created.id, confirmName: "nope" }));
    expect(wrong.message).toContain(`Type the cluster name (${name})`);
    await caller.clusters.delete({ id: created.id, confirmName: name });
    const gone = await waitStatus(caller, created.id, "deleted");
    expect(gone.deletedAt).not.toBeNull();
    expect(gone.currentOperation?.report).toMatchObject({ controlPlanes: 1, vms: 1 });
    const left = await cloud.provider.describe(created.id);
    expect(left).toEqual({ controlPlane: null, machines: [], volumes: [], loadBalancers: [] });
    expect((await caller.clusters.list()).map((c) => c.id)).not.toContain(created.id);
    const row = await getDb().cluster.findUnique({ where: { id: created.id } });
    expect(row?.status).toBe("deleted");
  }, 420_000);
});
