// Crash safety: the worker runs as its own process and SIGKILLs itself right after recording a
// step (NUAGE_FAULT_KILL_AFTER_STEP); a fresh worker takes the job over. Killed at every step
// boundary of a create and of a delete, the cluster converges with no duplicated or orphaned VM.
import { type ChildProcess, spawn } from "node:child_process";
import { STEP_PLANS } from "@nuage/core";
import { getDb } from "@nuage/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, signUpUser, type TestUser, uid, userCaller } from "../../../../packages/api/src/test/helpers.ts";
import { type Cloud, eventually, startCloud } from "./test/harness.ts";

let cloud: Cloud;
let owner: TestUser;
const children = new Set<ChildProcess>();

function startWorker(killAfter?: string): ChildProcess {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NUAGE_WORKER_PORT: "0",
    NUAGE_JOB_LOCK_MS: "3000",
    NUAGE_RECONCILE_EVERY_MS: "3600000",
    NUAGE_LOCALCLOUD_URL: cloud.lc.url,
    NUAGE_LOCALCLOUD_TOKEN: cloud.lc.token,
  };
  if (killAfter) env.NUAGE_FAULT_KILL_AFTER_STEP = killAfter;
  else delete env.NUAGE_FAULT_KILL_AFTER_STEP;
  const child = spawn(process.execPath, ["--import", "tsx", "apps/worker/src/main.ts"], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

function exited(child: ChildProcess, timeoutMs: number): Promise<NodeJS.Signals | number | null> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`worker still running after ${timeoutMs} ms`)), timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(t);
      resolve(signal ?? code);
    });
  });
}

beforeAll(async () => {
  cloud = await startCloud();
  owner = await signUpUser("crash", { verified: true });
});

afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await cloud?.close();
  await cleanup();
});

async function stepsOf(operationId: string) {
  return getDb().operationStep.findMany({ where: { operationId }, orderBy: { position: "asc" } });
}

/** Kills the worker after each step of the operation in turn, then lets a clean worker finish it. */
async function crashThrough(operationId: string, steps: string[]) {
  for (const step of steps) {
    const w = startWorker(step);
    expect(await exited(w, 180_000), `worker killed after ${step}`).toBe("SIGKILL");
    const s = (await stepsOf(operationId)).find((x) => x.name === step);
    expect(s?.status, `step ${step} recorded before the kill`).toBe("succeeded");
  }
  const w = startWorker();
  await eventually(
    async () => {
      const op = await getDb().operation.findUniqueOrThrow({ where: { id: operationId } });
      if (op.status !== "succeeded") throw new Error(`operation ${op.status}: ${op.error ?? ""}`);
    },
    120_000,
    500,
  );
  w.kill("SIGTERM");
  await exited(w, 30_000);
}

describe("crash safety", () => {
  it("a worker killed at every step boundary of create and delete leaves no duplicate or orphan", async () => {
    const caller = await userCaller(owner.userId);
    const name = `crash-${uid()}`;
    const c = await caller.clusters.create({
      name,
      nodePools: [{ name: "p", flavor: "s-1vcpu-2gb", count: 2 }],
    });
    await crashThrough(c.currentOperation!.id, STEP_PLANS.create);
    const running = await caller.clusters.get({ id: c.id });
    expect(running.status).toBe("running");
    expect(running.nodes).toHaveLength(2);
    const vms = await cloud.provider.listMachines();
    expect(vms.map((v) => v.id).sort()).toEqual(running.nodes.map((n) => n.id).sort());
    expect(await cloud.provider.listControlPlanes()).toHaveLength(1);

    // localcloud gives each cluster its ingress load balancer; the report counts whatever was held.
    const lbs = (await cloud.provider.listLoadBalancers({ clusterId: c.id })).length;
    const deleting = await caller.clusters.delete({ id: c.id, confirmName: name });
    await crashThrough(deleting.currentOperation!.id, STEP_PLANS.delete);
    const gone = await caller.clusters.get({ id: c.id });
    expect(gone.status).toBe("deleted");
    expect(gone.currentOperation?.report).toEqual({ controlPlanes: 1, vms: 2, volumes: 0, loadBalancers: lbs });
    expect(await cloud.provider.listMachines()).toEqual([]);
    expect(await cloud.provider.listControlPlanes()).toEqual([]);
    expect(await cloud.provider.listLoadBalancers()).toEqual([]);
  }, 900_000);
});
