// The admin console's procedures: hidden (NOT_FOUND, audited) for everyone but platform admins,
// and the operator's actions on tenants, announcements, audit and jobs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { portalBanners, signViewAs, VIEW_AS_COOKIE } from "@nuage/core";
import { getDb } from "@nuage/db";
import { getQueue, jobsEnv, workerConnection } from "@nuage/jobs";
import { LocalProvider, setProvider } from "@nuage/providers";
import { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalcloud } from "../../../apps/localcloud/src/index.ts";
import { createTRPCContext } from "./context.ts";
import { appRouter, createCaller } from "./root.ts";
import {
  cleanup,
  errorOf,
  headersFor,
  signUpUser,
  type TestUser,
  tokenCaller,
  uid,
  userCaller,
} from "./test/helpers.ts";

process.env.NEXTAUTH_SECRET ??= "admin-int-test-secret-0123456789";

let op: TestUser;
let tenant: TestUser;

beforeAll(async () => {
  tenant = await signUpUser("admin-tenant", { verified: true });
  op = await signUpUser("admin-operator", { verified: true });
  await getDb().user.update({ where: { id: op.userId }, data: { isPlatformAdmin: true } });
});

afterAll(async () => {
  await getDb().announcement.deleteMany({ where: { createdById: op?.userId } });
  await cleanup();
});

type Fn = (input?: unknown) => Promise<unknown>;
function procedureOf(caller: unknown, path: string): Fn {
  let fn: unknown = caller;
  for (const part of path.split(".")) fn = (fn as Record<string, unknown>)[part];
  return fn as Fn;
}

describe("admin procedures are hidden from everyone else", () => {
  const adminPaths = Object.keys(appRouter._def.procedures).filter((p) => p.startsWith("admin."));

  it("every admin.* procedure answers NOT_FOUND to a normal user and to an API token, and the attempts are audited", async () => {
    expect(adminPaths.length).toBeGreaterThan(20);
    const user = await userCaller(tenant.userId);
    const { token } = await user.tokens.create({ name: "admin-probe", scope: "write" });
    const tok = await tokenCaller(token);
    for (const path of adminPaths) {
      for (const [who, caller] of [
        ["user", user],
        ["token", tok],
      ] as const) {
        const err = await errorOf(() => procedureOf(caller, path)({ id: "x" }));
        expect(err, `${path} as ${who}`).toEqual({ code: "NOT_FOUND", message: "Not found" });
      }
    }
    const denied = await getDb().auditLog.findMany({
      where: { action: "admin.denied", actorUserId: tenant.userId },
      select: { targetId: true, targetType: true },
    });
    expect(new Set(denied.map((d) => d.targetId))).toEqual(new Set(adminPaths));
    expect(denied.every((d) => d.targetType === "procedure")).toBe(true);
    // Tokens never act as platform admins, even one created by a platform admin.
    const { token: opToken } = await (await userCaller(op.userId)).tokens.create({ name: "op", scope: "write" });
    expect((await errorOf(async () => (await tokenCaller(opToken)).admin.listOrgs())).code).toBe("NOT_FOUND");
  });

  it("lists every org for a platform admin", async () => {
    const orgs = await (await userCaller(op.userId)).admin.listOrgs();
    expect(orgs).toEqual(expect.arrayContaining([expect.objectContaining({ id: tenant.orgId, members: 1 })]));
    expect((await (await userCaller(op.userId)).me.get()).user.isPlatformAdmin).toBe(true);
  });
});

describe("tenants", () => {
  it("finds a tenant by e-mail, suspends it with a reason the tenant sees, resumes it", async () => {
    const admin = (await userCaller(op.userId)).admin;
    const found = await admin.tenants.search({ q: tenant.email.toUpperCase() });
    expect(found.map((t) => t.id)).toEqual([tenant.orgId]);
    expect(found[0]).toMatchObject({ status: "active", ownerEmail: tenant.email, members: 1, plan: "free" });
    expect((await admin.tenants.search({ q: tenant.orgId }))[0]?.id).toBe(tenant.orgId);

    expect(await errorOf(() => admin.tenants.suspend({ id: tenant.orgId, reason: " " }))).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("reason"),
    });
    const reason = `Unpaid invoice ${uid()}`;
    const s = await admin.tenants.suspend({ id: tenant.orgId, reason });
    expect(s).toMatchObject({ status: "suspended", suspendedReason: reason, suspendedBy: "operator" });
    expect((await portalBanners(tenant.orgId)).suspended?.reason).toBe(reason);
    expect((await admin.tenants.search({ q: tenant.email, status: "suspended" })).length).toBe(1);

    const t = await userCaller(tenant.userId);
    const refused = await errorOf(() =>
      t.clusters.create({ name: `adm-${uid()}`, nodePools: [{ name: "p", flavor: "s-1vcpu-2gb", count: 1 }] }),
    );
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toContain(reason);

    const r = await admin.tenants.resume({ id: tenant.orgId });
    expect(r).toMatchObject({ status: "active", suspendedReason: null });
    expect((await errorOf(() => admin.tenants.resume({ id: tenant.orgId }))).code).toBe("CONFLICT");
    const trail = (await admin.tenants.get({ id: tenant.orgId })).audit.map((a) => a.action);
    expect(trail.slice(0, 2)).toEqual(["admin.org.resume", "admin.org.suspend"]);
  });

  it("changes plan, quota overrides and trial; refuses bad values naming the field", async () => {
    const admin = (await userCaller(op.userId)).admin;
    expect((await admin.tenants.setPlan({ id: tenant.orgId, plan: "pro" })).plan).toBe("pro");
    const q = await admin.tenants.setQuotas({ id: tenant.orgId, maxClusters: 7, maxNodesPerCluster: 20, maxVcpu: 64 });
    expect(q.quotas).toEqual({ maxClusters: 7, maxNodesPerCluster: 20, maxVcpu: 64 });
    const bad = await errorOf(() =>
      admin.tenants.setQuotas({ id: tenant.orgId, maxClusters: -1, maxNodesPerCluster: 20, maxVcpu: 64 }),
    );
    expect(bad.message).toContain("maxClusters");
    const trial = await admin.tenants.extendTrial({ id: tenant.orgId, days: 14 });
    expect(trial.status).toBe("trial");
    expect(trial.trialEndsAt!.getTime()).toBeGreaterThan(Date.now() + 13 * 86_400_000);
    expect((await errorOf(() => admin.tenants.get({ id: "nope" }))).code).toBe("NOT_FOUND");
  });

  it("deletes a tenant only with its name typed", async () => {
    const doomed = await signUpUser("admin-doomed");
    const admin = (await userCaller(op.userId)).admin;
    const wrong = await errorOf(() => admin.tenants.delete({ id: doomed.orgId, confirmName: "nope" }));
    expect(wrong.code).toBe("BAD_REQUEST");
    const org = await getDb().org.findUniqueOrThrow({ where: { id: doomed.orgId } });
    const done = await admin.tenants.delete({ id: doomed.orgId, confirmName: org.name });
    expect(done.deletedAt).not.toBeNull();
    expect((await admin.tenants.get({ id: doomed.orgId })).status).toBe("deleted");
  });
});

describe("view as tenant", () => {
  it("reads as the tenant with the viewer role, refuses every mutation, and ignores a cookie of another user", async () => {
    const cookie = signViewAs(op.userId, tenant.orgId, Date.now() + 60_000);
    const headers = headersFor();
    headers.set("cookie", `${VIEW_AS_COOKIE}=${encodeURIComponent(cookie)}`);
    const viewing = createCaller(await createTRPCContext({ headers, session: { userId: op.userId } }));
    const me = await viewing.me.get();
    expect(me.currentOrg).toMatchObject({ id: tenant.orgId, role: "viewer" });
    expect((await viewing.members.list()).map((m) => m.userId)).toEqual([tenant.userId]);
    const refused = await errorOf(() => viewing.org.update({ name: "hijacked" }));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toContain("viewing the portal as a tenant");

    // The same cookie presented by someone else (not a platform admin) means nothing.
    const other = await signUpUser("admin-other");
    const h2 = headersFor();
    h2.set("cookie", `${VIEW_AS_COOKIE}=${encodeURIComponent(cookie)}`);
    const c2 = createCaller(await createTRPCContext({ headers: h2, session: { userId: other.userId } }));
    expect((await c2.me.get()).currentOrg?.id).toBe(other.orgId);
  });
});

describe("announcements and audit", () => {
  it("publishes an announcement, lists the audit log filtered by org, actor and action", async () => {
    const admin = (await userCaller(op.userId)).admin;
    const bad = await errorOf(() => admin.announcements.create({ message: "x" }));
    expect(bad.message).toContain("message");
    const a = await admin.announcements.create({ message: `Maintenance tonight ${uid()}`, level: "warning" });
    expect(a.state).toBe("active");
    expect((await admin.announcements.list()).some((x) => x.id === a.id)).toBe(true);
    const archived = await admin.announcements.archive({ id: a.id });
    expect(archived.state).toBe("archived");

    const byOrg = await admin.audit.list({ orgId: tenant.orgId, action: "admin.*" });
    expect(byOrg.items.length).toBeGreaterThanOrEqual(2);
    expect(byOrg.items.every((i) => i.action.startsWith("admin.") && i.orgId === tenant.orgId)).toBe(true);
    const byActor = await admin.audit.list({ actor: op.email, action: "admin.announcement.create" });
    expect(byActor.items.map((i) => i.targetId)).toContain(a.id);
    expect(byActor.items[0]?.actorEmail).toBe(op.email);
    const future = await admin.audit.list({ orgId: tenant.orgId, from: new Date(Date.now() + 86_400_000) });
    expect(future.items).toEqual([]);
  });
});

describe("jobs", () => {
  it("shows queue counts and a failed job with its error, and retries it", async () => {
    const admin = (await userCaller(op.userId)).admin;
    let fail = true;
    const worker = new Worker(
      "mail",
      async () => {
        if (fail) throw new Error("SMTP refused the message (test)");
        return "sent";
      },
      { connection: workerConnection(), prefix: jobsEnv().NUAGE_QUEUE_PREFIX },
    );
    try {
      const job = await getQueue("mail").add("mail.send", { outboxId: `adm-${uid()}` }, { attempts: 1 });
      await expect.poll(async () => job.isFailed(), { timeout: 10_000 }).toBe(true);
      const failed = await admin.ops.failedJobs({ queue: "mail" });
      expect(failed.find((j) => j.id === job.id)).toMatchObject({
        name: "mail.send",
        failedReason: "SMTP refused the message (test)",
      });
      expect((await admin.ops.queues()).find((q) => q.name === "mail")?.failed).toBeGreaterThanOrEqual(1);
      fail = false;
      await admin.ops.retryJob({ queue: "mail", id: job.id! });
      await expect
        .poll(async () => (await getQueue("mail").getJob(job.id!))?.getState(), { timeout: 10_000 })
        .toBe("completed");
      expect((await errorOf(() => admin.ops.failedJobs({ queue: "nope" }))).code).toBe("NOT_FOUND");
    } finally {
      await worker.close();
    }
  });
});

describe("capacity", () => {
  it("lists hosts with their VMs from the provider, marks one down (audited) and up again", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nuage-admin-lc-"));
    const lc = await startLocalcloud({
      dataDir: dir,
      etcdUrl: process.env.ETCD_URL ?? "http://127.0.0.1:23799",
      token: "adm-token",
    });
    setProvider(new LocalProvider({ url: lc.url, token: lc.token }));
    try {
      const vm = lc.cloud.createVm({ id: `adm-${uid()}`, flavor: "s-1vcpu-2gb" }).vm;
      const admin = (await userCaller(op.userId)).admin;
      const cap = await admin.ops.hosts();
      expect(cap.regions).toEqual([expect.objectContaining({ name: "local-1", vcpus: 9 * 256 })]);
      const host = cap.hosts.find((h) => h.id === vm.hostId)!;
      expect(host.machines).toEqual([expect.objectContaining({ id: vm.id, clusterName: null })]);
      const down = await admin.ops.setHostState({ id: vm.hostId, state: "down" });
      expect(down.state).toBe("down");
      expect(down.machines[0]?.status).toBe("host-down");
      expect(lc.cloud.describeVm(lc.cloud.getVm(vm.id)).hostUp).toBe(false);
      expect((await admin.ops.setHostState({ id: vm.hostId, state: "up" })).state).toBe("up");
      expect((await errorOf(() => admin.ops.setHostState({ id: "no-such-host", state: "down" }))).code).toBe(
        "NOT_FOUND",
      );
      const audited = await admin.audit.list({ actor: op.email, action: "admin.host.*" });
      expect(audited.items.map((i) => i.action)).toEqual(expect.arrayContaining(["admin.host.down", "admin.host.up"]));
    } finally {
      setProvider(undefined);
      await lc.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
