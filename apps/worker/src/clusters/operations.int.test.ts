// Failure, retry, live watch and reconcile, with the real worker processors and localcloud.

import { LocalProvider, setProvider } from "@nuage/providers";
import type { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, signUpUser, type TestUser, uid, userCaller } from "../../../../packages/api/src/test/helpers.ts";
import { adminClients } from "./kube.ts";
import { startClusterProcessors } from "./processor.ts";
import { reconcileAll } from "./reconcile.ts";
import { type Cloud, eventually, startCloud } from "./test/harness.ts";

process.env.NUAGE_RECONCILE_EVERY_MS = "3600000";

let cloud: Cloud;
let workers: Worker[] = [];
let owner: TestUser;

beforeAll(async () => {
  cloud = await startCloud();
  workers = await startClusterProcessors();
  owner = await signUpUser("ops", { verified: true });
});

afterAll(async () => {
  await Promise.allSettled(workers.map((w) => w.close()));
  await cloud?.close();
  await cleanup();
});

describe("cluster operations", () => {
  it("a failed create says why, is retried, streams its steps live, and reconcile replaces a lost VM", async () => {
    const caller = await userCaller(owner.userId);
    // The provider refuses every call (wrong token) until the operator fixes it.
    setProvider(new LocalProvider({ url: cloud.lc.url, token: "wrong-token" }));
    const name = `ops-${uid()}`;
    const c = await caller.clusters.create({
      name,
      nodePools: [
        {
          name: "p",
          flavor: "s-1vcpu-2gb",
          count: 1,
          labels: { tier: "web" },
          taints: [{ key: "dedicated", value: "web", effect: "NoSchedule" }],
        },
      ],
    });
    const failed = await eventually(async () => {
      const now = await caller.clusters.get({ id: c.id });
      if (now.status !== "error") throw new Error(now.status);
      return now;
    }, 90_000);
    const op = failed.currentOperation!;
    expect(op.status).toBe("failed");
    expect(op.error).toBeTruthy();
    expect(op.error).not.toContain("wrong-token");
    expect(failed.statusMessage).toContain("create failed:");
    expect(op.steps[0]).toMatchObject({ name: "certificate-authority", status: "failed" });

    setProvider(cloud.provider);
    const seen: string[] = [];
    const iterable = await caller.clusters.watch({ id: c.id });
    const watching = (async () => {
      for await (const snap of iterable) {
        const steps = snap.currentOperation?.steps.map((s) => `${s.name}:${s.status}`).join(",") ?? "";
        seen.push(`${snap.status}|${steps}`);
        if (snap.status === "running") break;
      }
    })();
    const retried = await caller.operations.retry({ id: op.id });
    expect(retried.status).toBe("pending");
    await Promise.race([watching, new Promise((_, rej) => setTimeout(() => rej(new Error("watch timeout")), 150_000))]);
    expect(seen.at(-1)).toMatch(/^running\|/);
    expect(seen.some((s) => s.includes("nodes:running"))).toBe(true);
    const ops = await caller.operations.list({ clusterId: c.id });
    expect(ops[0]).toMatchObject({ id: op.id, status: "succeeded", error: null });

    // A VM disappears behind Nuage's back: reconcile replaces it and says so.
    const running = await caller.clusters.get({ id: c.id });
    const nodeId = running.nodes[0]!.id;
    await cloud.provider.deleteMachine(nodeId);
    const r = await reconcileAll();
    expect(r.replaced).toBeGreaterThanOrEqual(1);
    expect((await cloud.provider.getMachine(nodeId))?.id).toBe(nodeId);
    const events = await caller.clusters.events({ id: c.id });
    expect(events[0]).toMatchObject({ reason: "MachineReplaced", level: "warning" });
    // The recreated node gets its pool's labels and taints back, then the cluster is running again.
    const k = await adminClients(cloud.provider, c.id);
    await eventually(async () => {
      await reconcileAll();
      if ((await caller.clusters.get({ id: c.id })).status !== "running") throw new Error("still degraded");
    }, 60_000);
    const node = await k.core.readNode({ name: running.nodes[0]!.name });
    expect(node.metadata?.labels).toMatchObject({ tier: "web", "nuage.dev/node-pool": "p" });
    expect(node.spec?.taints).toEqual([{ key: "dedicated", value: "web", effect: "NoSchedule" }]);

    await caller.clusters.delete({ id: c.id, confirmName: name });
    await eventually(async () => {
      if ((await caller.clusters.get({ id: c.id })).status !== "deleted") throw new Error("not yet");
    }, 90_000);
    expect(await cloud.provider.listMachines({ clusterId: c.id })).toEqual([]);
  }, 400_000);

  it("upgrades node by node (surge by one), toggles HA and adds/removes a pool, each as an operation with steps", async () => {
    setProvider(cloud.provider);
    const caller = await userCaller(owner.userId);
    const name = `up-${uid()}`;
    const c = await caller.clusters.create({
      name,
      version: "1.32",
      nodePools: [{ name: "a", flavor: "s-1vcpu-2gb", count: 2 }],
    });
    const waitRunning = () =>
      eventually(async () => {
        const now = await caller.clusters.get({ id: c.id });
        if (now.status !== "running" || now.currentOperation?.status !== "succeeded") {
          throw new Error(`${now.status} ${now.currentOperation?.status} ${now.statusMessage ?? ""}`);
        }
        return now;
      }, 180_000);
    const before = await waitRunning();
    const refused = await caller.clusters.update({ id: c.id, version: "1.31" }).then(
      () => "accepted",
      (e: Error) => e.message,
    );
    expect(refused).toContain("Downgrades are not supported");

    await caller.clusters.update({ id: c.id, version: "1.33" });
    const upgraded = await waitRunning();
    expect(upgraded.version).toBe("1.33");
    expect(upgraded.currentOperation?.type).toBe("upgrade");
    expect(upgraded.currentOperation?.steps.map((s) => s.name)).toEqual(["control-plane", "nodes", "ready"]);
    expect(upgraded.nodes).toHaveLength(2);
    expect(upgraded.nodes.every((n) => n.version === "1.33")).toBe(true);
    const oldIds = new Set(before.nodes.map((n) => n.id));
    expect(upgraded.nodes.some((n) => oldIds.has(n.id))).toBe(false);
    expect((await cloud.provider.listMachines({ clusterId: c.id })).map((m) => m.id).sort()).toEqual(
      upgraded.nodes.map((n) => n.id).sort(),
    );

    // The control plane itself was upgraded in place (the step checked /version too).
    expect((await cloud.provider.getControlPlane(c.id))?.version).toBe("v1.33.1");

    await caller.clusters.update({ id: c.id, haControlPlane: true });
    expect((await waitRunning()).haControlPlane).toBe(true);
    expect(await cloud.provider.getControlPlane(c.id)).toMatchObject({ highAvailability: true, ready: true });

    await caller.clusters.update({
      id: c.id,
      nodePools: [{ name: "b", flavor: "s-2vcpu-4gb", count: 1, taints: [{ key: "gpu", effect: "NoSchedule" }] }],
    });
    const swapped = await waitRunning();
    expect(swapped.nodePools.map((p) => p.name)).toEqual(["b"]);
    expect(swapped.nodes).toHaveLength(1);
    expect(swapped.nodes[0]?.flavor).toBe("s-2vcpu-4gb");
    expect(await cloud.provider.listMachines({ clusterId: c.id })).toHaveLength(1);

    await caller.clusters.delete({ id: c.id, confirmName: name });
    await eventually(async () => {
      if ((await caller.clusters.get({ id: c.id })).status !== "deleted") throw new Error("not yet");
    }, 90_000);
  }, 500_000);
});
