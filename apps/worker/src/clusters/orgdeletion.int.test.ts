// Deleting an org removes everything the provider made for its clusters, then soft-deletes the org.
import { finishPendingOrgDeletions, requestOrgDeletion } from "@nuage/core";
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
import { type Cloud, eventually, startCloud } from "./test/harness.ts";

process.env.NUAGE_RECONCILE_EVERY_MS = "3600000";

let cloud: Cloud;
let workers: Worker[] = [];
let owner: TestUser;

beforeAll(async () => {
  cloud = await startCloud();
  workers = await startClusterProcessors();
  owner = await signUpUser("orgdel", { verified: true });
});

afterAll(async () => {
  await Promise.allSettled(workers.map((w) => w.close()));
  await cloud?.close();
  await cleanup();
});

describe("org deletion", () => {
  it("deletes every cluster of the org at the provider, then soft-deletes the org", async () => {
    const caller = await userCaller(owner.userId);
    const a = await caller.clusters.create({
      name: `orgdel-a-${uid()}`,
      nodePools: [{ name: "p", flavor: "s-1vcpu-2gb", count: 1 }],
    });
    const b = await caller.clusters.create({
      name: `orgdel-b-${uid()}`,
      nodePools: [{ name: "p", flavor: "s-1vcpu-2gb", count: 1 }],
    });
    // One is running, the other may still be provisioning: both go.
    await eventually(async () => {
      if ((await caller.clusters.get({ id: a.id })).status !== "running") throw new Error("not running yet");
    }, 120_000);

    const started = await requestOrgDeletion(owner.orgId, { type: "operator-cli" });
    expect(started).toMatchObject({ orgId: owner.orgId, deletedAt: null, clustersDeleting: 2 });
    // Idempotent: a second call adds no operation.
    expect((await requestOrgDeletion(owner.orgId, { type: "operator-cli" })).clustersDeleting).toBe(2);
    const err = await errorOf(() =>
      caller.clusters.create({
        name: `orgdel-c-${uid()}`,
        nodePools: [{ name: "p", flavor: "s-1vcpu-2gb", count: 1 }],
      }),
    );
    expect(err.message).toContain("being deleted");

    const org = await eventually(async () => {
      const o = await getDb().org.findUniqueOrThrow({ where: { id: owner.orgId } });
      if (!o.deletedAt) throw new Error("org not deleted yet");
      return o;
    }, 180_000);
    expect(org.deletingAt).not.toBeNull();
    for (const id of [a.id, b.id]) {
      const c = await getDb().cluster.findUniqueOrThrow({ where: { id } });
      expect(c.status).toBe("deleted");
      expect((await cloud.provider.describe(id)).controlPlane).toBeNull();
      expect(await cloud.provider.listMachines({ clusterId: id })).toEqual([]);
    }
    const deletes = await getDb().operation.count({ where: { orgId: owner.orgId, type: "delete" } });
    expect(deletes).toBe(2);
    const audit = await getDb().auditLog.findMany({ where: { orgId: owner.orgId, action: "org.delete" } });
    expect(audit).toHaveLength(1);
  }, 400_000);

  it("an org without clusters is soft-deleted at once; reconcile finishes one left half-way", async () => {
    const empty = await signUpUser("orgdel-empty", { verified: true });
    const r = await requestOrgDeletion(empty.orgId, { type: "system" });
    expect(r.deletedAt).toBeInstanceOf(Date);
    expect(r.clustersDeleting).toBe(0);

    const half = await signUpUser("orgdel-half", { verified: true });
    await getDb().org.update({ where: { id: half.orgId }, data: { deletingAt: new Date() } });
    expect(await finishPendingOrgDeletions()).toBeGreaterThanOrEqual(1);
    expect((await getDb().org.findUniqueOrThrow({ where: { id: half.orgId } })).deletedAt).not.toBeNull();

    expect((await errorOf(() => requestOrgDeletion(`missing-${uid()}`, { type: "system" }))).code).toBe("NOT_FOUND");
  });
});
