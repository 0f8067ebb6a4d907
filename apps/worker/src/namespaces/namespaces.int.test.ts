// Namespaces end to end with the real worker and a real localcloud cluster: desired state queued
// while the cluster provisions, quotas enforced by the cluster (kubectl), LimitRange defaults,
// secrets reaching pods, scoped kubeconfigs (editor works, viewer Forbidden, other namespace
// Forbidden), drift restored, no plaintext in the database dump nor in the cluster's etcd keys.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { getDb } from "@nuage/db";
import type { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanup,
  errorOf,
  PASSWORD,
  signUpUser,
  type TestUser,
  uid,
  userCaller,
} from "../../../../packages/api/src/test/helpers.ts";
import { startClusterProcessors } from "../clusters/processor.ts";
import { type Cloud, ETCD_URL, eventually, kubectl, startCloud, writeKubeconfig } from "../clusters/test/harness.ts";
import { startNamespaceProcessors } from "./processor.ts";

process.env.NUAGE_RECONCILE_EVERY_MS = "3600000";
process.env.NUAGE_NAMESPACE_RECONCILE_EVERY_MS = "1500";
process.env.NUAGE_MASTER_KEY ??= randomBytes(32).toString("base64");

const exec = promisify(execFile);
type Caller = Awaited<ReturnType<typeof userCaller>>;

let cloud: Cloud;
let workers: Worker[] = [];
let owner: TestUser;
let member: TestUser;
let viewer: TestUser;
let ownerC: Caller;
let memberC: Caller;
let viewerC: Caller;
let clusterId: string;
let teamX: { id: string; name: string };
let teamY: { id: string; name: string };
const SECRET_X = `x-value-${randomBytes(8).toString("hex")}`;
const SECRET_Y = `y-value-${randomBytes(8).toString("hex")}`;
let ownerKc: string;
let memberKc: string;
let viewerKc: string;

async function join_(user: TestUser, role: "member" | "viewer") {
  await getDb().membership.create({ data: { orgId: owner.orgId, userId: user.userId, role } });
  return userCaller(user.userId, { org: owner.orgId });
}

async function yaml(name: string, text: string) {
  const p = join(cloud.dir, `${name}-${uid()}.yaml`);
  await writeFile(p, text);
  return p;
}

const synced = (c: Caller, nsId: string) =>
  eventually(async () => {
    const n = await c.namespaces.get({ id: nsId });
    if (n.syncStatus !== "synced") throw new Error(`namespace ${n.name}: ${n.syncStatus} ${n.syncMessage ?? ""}`);
    return n;
  }, 60_000);

beforeAll(async () => {
  cloud = await startCloud();
  workers = [...(await startClusterProcessors()), ...(await startNamespaceProcessors())];
  owner = await signUpUser("ns-owner", { verified: true });
  member = await signUpUser("ns-member", { verified: true });
  viewer = await signUpUser("ns-viewer", { verified: true });
  ownerC = await userCaller(owner.userId);
  memberC = await join_(member, "member");
  viewerC = await join_(viewer, "viewer");
  const c = await ownerC.clusters.create({
    name: `ns-${uid()}`,
    nodePools: [{ name: "p", flavor: "s-2vcpu-4gb", count: 1 }],
  });
  clusterId = c.id;

  // Made while the cluster provisions: queued, with a visible state.
  const x = await ownerC.namespaces.create({ clusterId, name: "team-x", template: "medium", labels: { team: "x" } });
  expect(x.syncStatus).toBe("pending");
  expect(x.syncMessage).toMatch(/Waiting for the cluster to be running/);
  expect(x.quota["requests.cpu"]).toBe("1");
  teamX = x;
  const y = await ownerC.namespaces.create({ clusterId, name: "team-y", template: "small" });
  teamY = y;
  await ownerC.secrets.create({
    namespaceId: x.id,
    name: "db",
    content: { type: "generic", data: { password: SECRET_X } },
  });
  await ownerC.secrets.create({
    namespaceId: y.id,
    name: "db",
    content: { type: "generic", data: { password: SECRET_Y } },
  });
  await ownerC.namespaceAccess.create({ namespaceId: x.id, userId: member.userId, role: "editor" });
  await ownerC.namespaceAccess.create({ namespaceId: x.id, userId: viewer.userId, role: "viewer" });

  await eventually(async () => {
    const got = await ownerC.clusters.get({ id: clusterId });
    if (got.status !== "running") throw new Error(got.status);
  }, 150_000);
  await synced(ownerC, teamX.id);
  await synced(ownerC, teamY.id);
  await eventually(async () => {
    const items = await ownerC.secrets.list({ namespaceId: teamX.id });
    expect(items[0]?.syncStatus).toBe("synced");
    const grants = await ownerC.namespaceAccess.list({ namespaceId: teamX.id });
    expect(grants.map((g) => g.syncStatus)).toEqual(["synced", "synced"]);
  }, 60_000);
  ownerKc = await writeKubeconfig(
    cloud.dir,
    (await ownerC.clusters.kubeconfig({ id: clusterId, ttlHours: 1 })).kubeconfig,
  );
  const mk = await memberC.clusters.kubeconfig({ id: clusterId, ttlHours: 1 });
  expect(mk.credential.groups).toEqual(["nuage:scoped"]);
  memberKc = await writeKubeconfig(cloud.dir, mk.kubeconfig);
  viewerKc = await writeKubeconfig(
    cloud.dir,
    (await viewerC.clusters.kubeconfig({ id: clusterId, ttlHours: 1 })).kubeconfig,
  );
}, 240_000);

afterAll(async () => {
  await Promise.allSettled(workers.map((w) => w.close()));
  await cloud?.close();
  await cleanup();
});

describe("namespaces in a running cluster", () => {
  it("applies the quota and defaults: over quota is refused, a bare pod gets the LimitRange defaults", async () => {
    const quota = JSON.parse(
      await kubectl(ownerKc, ["get", "resourcequota", "nuage-quota", "-n", "team-x", "-o", "json"]),
    );
    expect(quota.spec.hard["requests.cpu"]).toBe("1");
    expect(quota.metadata.labels["app.kubernetes.io/managed-by"]).toBe("nuage");
    expect(await kubectl(ownerKc, ["get", "ns", "team-x", "-o", "jsonpath={.metadata.labels.team}"])).toBe("x");

    // As the namespace editor: a Deployment that fits runs; a pod over the quota is refused.
    const fits = await yaml(
      "fits",
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: team-x }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: nginx
          env:
            - name: DB_PASSWORD
              valueFrom: { secretKeyRef: { name: db, key: password } }
`,
    );
    await kubectl(memberKc, ["apply", "-f", fits, "--validate=false"]);
    const pod = await eventually(async () => {
      const pods = JSON.parse(await kubectl(memberKc, ["get", "pods", "-n", "team-x", "-l", "app=web", "-o", "json"]));
      const p = pods.items[0];
      if (p?.status?.phase !== "Running") throw new Error(`pod ${p?.status?.phase}`);
      return p;
    }, 60_000);
    // No requests in the manifest: the LimitRange defaults were applied.
    expect(pod.spec.containers[0].resources.requests).toEqual({ cpu: "100m", memory: "128Mi" });
    expect(pod.spec.containers[0].resources.limits).toEqual({ cpu: "500m", memory: "512Mi" });

    const big = await yaml(
      "big",
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: big, namespace: team-x }
spec:
  replicas: 1
  selector: { matchLabels: { app: big } }
  template:
    metadata: { labels: { app: big } }
    spec:
      containers:
        - name: big
          image: nginx
          resources: { requests: { cpu: "2", memory: 1Gi }, limits: { cpu: "2", memory: 1Gi } }
`,
    );
    await kubectl(memberKc, ["apply", "-f", big, "--validate=false"]);
    await eventually(async () => {
      const ev = await kubectl(memberKc, ["get", "events", "-n", "team-x", "-o", "json"]);
      expect(ev).toContain("exceeded quota");
    }, 30_000);
    const pod2 = await yaml(
      "pod2",
      `apiVersion: v1
kind: Pod
metadata: { name: huge, namespace: team-x }
spec:
  containers:
    - name: c
      image: nginx
      resources: { requests: { cpu: "2" }, limits: { cpu: "2" } }
`,
    );
    expect((await errorOf(() => kubectl(memberKc, ["apply", "-f", pod2, "--validate=false"]))).message).toMatch(
      /exceeded quota/,
    );

    // Usage through the platform moves with the running pod.
    await eventually(async () => {
      const u = await memberC.namespaces.usage({ id: teamX.id });
      expect(u.live).toBe(true);
      const cpu = u.items.find((i) => i.resource === "requests.cpu");
      expect(cpu?.usedUnits).toBe(100);
      expect(u.items.find((i) => i.resource === "pods")?.usedUnits).toBe(1);
    }, 30_000);
  });

  it("scopes access: the editor cannot touch team-y, the viewer cannot delete", async () => {
    expect((await errorOf(() => kubectl(memberKc, ["get", "secrets", "-n", "team-y"]))).message).toMatch(/Forbidden/i);
    expect((await errorOf(() => kubectl(memberKc, ["get", "nodes"]))).message).toMatch(/Forbidden/i);
    expect(await kubectl(viewerKc, ["get", "deploy", "-n", "team-x", "-o", "name"])).toContain("deployment");
    expect((await errorOf(() => kubectl(viewerKc, ["delete", "deploy", "web", "-n", "team-x"]))).message).toMatch(
      /Forbidden/i,
    );
    // Through the platform: team-y does not exist for the scoped member.
    expect((await memberC.namespaces.list({ clusterId })).map((n) => n.name)).toEqual(["team-x"]);
    expect((await errorOf(() => memberC.secrets.list({ namespaceId: teamY.id }))).code).toBe("NOT_FOUND");
    expect((await errorOf(() => memberC.namespaces.usage({ id: teamY.id }))).code).toBe("NOT_FOUND");
    expect(
      (
        await errorOf(() =>
          viewerC.secrets.create({ namespaceId: teamX.id, name: "v", content: { type: "generic", data: { a: "b" } } }),
        )
      ).code,
    ).toBe("FORBIDDEN");
  });

  it("reveals a value only to an admin who re-entered their password, and audits it", async () => {
    const [s] = await ownerC.secrets.list({ namespaceId: teamX.id });
    expect(s?.data).toBeNull();
    expect(JSON.stringify(s)).not.toContain(SECRET_X);
    expect((await errorOf(() => memberC.secrets.reveal({ id: s!.id }))).code).toBe("FORBIDDEN");
    expect((await errorOf(() => ownerC.secrets.reveal({ id: s!.id }))).message).toMatch(/Confirm your password/);
    expect((await errorOf(() => ownerC.secrets.reauthenticate({ password: "wrong-password-1" }))).message).toMatch(
      /not correct/,
    );
    await ownerC.secrets.reauthenticate({ password: PASSWORD });
    expect((await ownerC.secrets.reveal({ id: s!.id })).data).toEqual({ password: SECRET_X });
    const audit = await getDb().auditLog.findFirst({
      where: { orgId: owner.orgId, action: "namespace.secret.reveal", targetId: s!.id },
    });
    expect(audit?.actorUserId).toBe(owner.userId);
  });

  it("restores managed objects deleted or changed with kubectl and leaves unmanaged ones alone", async () => {
    await kubectl(ownerKc, ["create", "secret", "generic", "mine", "-n", "team-x", "--from-literal=a=b"]);
    await kubectl(ownerKc, ["delete", "secret", "db", "-n", "team-x"]);
    await kubectl(ownerKc, [
      "patch",
      "resourcequota",
      "nuage-quota",
      "-n",
      "team-x",
      "--type=merge",
      "-p",
      '{"spec":{"hard":{"pods":"999"}}}',
    ]);
    const restoredAt = Date.now();
    await eventually(
      async () => {
        const v = await kubectl(ownerKc, ["get", "secret", "db", "-n", "team-x", "-o", "jsonpath={.data.password}"]);
        expect(Buffer.from(v, "base64").toString()).toBe(SECRET_X);
        expect(
          await kubectl(ownerKc, [
            "get",
            "resourcequota",
            "nuage-quota",
            "-n",
            "team-x",
            "-o",
            "jsonpath={.spec.hard.pods}",
          ]),
        ).toBe("40");
      },
      20_000,
      300,
    );
    expect(Date.now() - restoredAt).toBeLessThan(15_000);
    expect(await kubectl(ownerKc, ["get", "secret", "mine", "-n", "team-x", "-o", "name"])).toBe("secret/mine");
    const events = await ownerC.clusters.events({ id: clusterId });
    const drift = events.filter((e) => e.reason === "NamespaceDrift").map((e) => e.message);
    expect(drift.some((m) => m.includes("Secret team-x/db was deleted"))).toBe(true);
    expect(drift.some((m) => m.includes("ResourceQuota of team-x was changed"))).toBe(true);
  });

  it("keeps no secret value in clear in the platform database nor in the cluster's etcd keys", async () => {
    const url = process.env.DATABASE_URL!;
    const dump = await exec("pg_dump", ["--data-only", url], { maxBuffer: 512 * 1024 * 1024 });
    expect(dump.stdout).toContain("ndk1."); // the sealed rows are in the dump…
    expect(dump.stdout.includes(SECRET_X)).toBe(false); // …their values are not
    expect(dump.stdout.includes(SECRET_Y)).toBe(false);
    const etcd = await exec("etcdctl", ["--endpoints", ETCD_URL, "get", "--prefix", `/nuage/clusters/${clusterId}-`], {
      maxBuffer: 512 * 1024 * 1024,
      env: { ...process.env, ETCDCTL_API: "3" },
    });
    expect(etcd.stdout).toContain("k8s:enc:aesgcm:v1:");
    expect(etcd.stdout).toContain("/secrets/team-x/db");
    expect(etcd.stdout.includes(SECRET_X)).toBe(false);
    expect(etcd.stdout.includes(SECRET_Y)).toBe(false);
    expect(etcd.stdout.includes(Buffer.from(SECRET_X).toString("base64"))).toBe(false);
  });

  it("checks quotas against the nodes and the plan, naming the resource and the numbers", async () => {
    const tooBig = await errorOf(() =>
      ownerC.namespaces.create({ clusterId, name: "big", quota: { "requests.cpu": "1500m", "limits.cpu": "2" } }),
    );
    expect(tooBig.message).toMatch(
      /requests\.cpu: the namespaces of this cluster would request 3 CPU.*nodes provide \(2 CPU\)/,
    );
    const bad = await errorOf(() =>
      ownerC.namespaces.create({ clusterId, name: "bad", quota: { "requests.memory": "2 Gi" } }),
    );
    expect(bad.message).toMatch(/quota.requests.memory: "2 Gi" is not a Kubernetes quantity/);
    expect((await errorOf(() => ownerC.namespaces.create({ clusterId, name: "kube-system" }))).message).toMatch(
      /reserved/,
    );
    expect((await errorOf(() => ownerC.namespaces.create({ clusterId, name: "Bad_Name" }))).message).toMatch(
      /DNS label/,
    );
    expect((await errorOf(() => memberC.namespaces.create({ clusterId, name: "m" }))).code).toBe("FORBIDDEN");
    await ownerC.namespaces.setOvercommit({ ratio: 2 });
    const ok = await ownerC.namespaces.create({
      clusterId,
      name: "big",
      quota: { "requests.cpu": "1500m", "limits.cpu": "2" },
    });
    await getDb().org.update({ where: { id: owner.orgId }, data: { maxVcpu: 3 } });
    const plan = await errorOf(() =>
      ownerC.namespaces.update({ id: ok.id, quota: { "requests.cpu": "2", "limits.cpu": "2" } }),
    );
    expect(plan.message).toMatch(
      /requests\.cpu: the namespaces of your organization would request 3500m CPU.*plan allows \(3 CPU\)/,
    );
    // A secret over 1 MiB is refused like upstream.
    const huge = await errorOf(() =>
      ownerC.secrets.create({
        namespaceId: teamX.id,
        name: "huge",
        content: { type: "generic", data: { a: "x".repeat(1024 * 1024 + 1) } },
      }),
    );
    expect(huge.message).toMatch(/over the 1 MiB limit/);
    // Deleting a namespace removes it from the cluster.
    await ownerC.namespaces.delete({ id: ok.id, confirmName: "big" });
    await eventually(async () => {
      expect(await getDb().namespace.findUnique({ where: { id: ok.id } })).toBeNull();
    }, 30_000);
  });
});
