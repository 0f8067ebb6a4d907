// Failure, retry, live watch and reconcile, with the real worker processors and localcloud.

import { LocalProvider, setProvider } from "@nuage/providers";
import type { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, signUpUser, type TestUser, uid, userCaller } from "../../../../packages/api/src/test/helpers.ts";
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
    const c = await caller.clusters.create({ name, nodePools: [{ name: "p", flavor: "s-1vcpu-2gb", count: 1 }] });
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

    await caller.clusters.delete({ id: c.id, confirmName: name });
    await eventually(async () => {
      if ((await caller.clusters.get({ id: c.id })).status !== "deleted") throw new Error("not yet");
    }, 90_000);
    expect(await cloud.provider.listMachines({ clusterId: c.id })).toEqual([]);
  }, 400_000);
});
