// Namespaces through tRPC and REST without a running cluster: queued state, validation naming the
// field, templates (admins edit, others read), roles, and secret values never in any answer.
import { getDb } from "@nuage/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, errorOf, rest, signUpUser, type TestUser, tokenCaller, userCaller } from "../../test/helpers.ts";

let owner: TestUser;
let member: TestUser;
let clusterId: string;
let token: string;
let readToken: string;

beforeAll(async () => {
  owner = await signUpUser("ns-api", { verified: true });
  member = await signUpUser("ns-api-member", { verified: true });
  await getDb().membership.create({ data: { orgId: owner.orgId, userId: member.userId, role: "member" } });
  const c = await userCaller(owner.userId);
  // No worker takes this suite's jobs: the cluster stays provisioning.
  clusterId = (await c.clusters.create({ name: "ns-api", nodePools: [{ name: "p", flavor: "s-4vcpu-8gb", count: 1 }] }))
    .id;
  token = (await c.tokens.create({ name: "w", scope: "write" })).token;
  readToken = (await c.tokens.create({ name: "r", scope: "read" })).token;
});
afterAll(cleanup);

describe("namespaces API", () => {
  it("queues a namespace on a cluster that is not running, with a visible state", async () => {
    const res = await rest(`/clusters/${clusterId}/namespaces`, {
      token,
      method: "POST",
      body: { name: "queued", template: "small", labels: { team: "q" } },
    });
    expect(res.status).toBe(200);
    const ns = await res.json();
    expect(ns.syncStatus).toBe("pending");
    expect(ns.syncMessage).toBe("Waiting for the cluster to be running (it is provisioning); queued");
    expect(ns.quota["requests.cpu"]).toBe("500m");
    const usage = await (await rest(`/namespaces/${ns.id}/usage`, { token })).json();
    expect(usage.live).toBe(false);
    expect(usage.reason).toMatch(/Waiting for the cluster/);
  });

  it("names the field and the value in validation errors", async () => {
    const bad = await rest(`/clusters/${clusterId}/namespaces`, {
      token,
      method: "POST",
      body: { name: "q2", quota: { "limits.cpu": "lots" } },
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toMatch(/quota.limits.cpu: "lots" is not a Kubernetes quantity/);
    const order = await rest(`/clusters/${clusterId}/namespaces`, {
      token,
      method: "POST",
      body: { name: "q3", quota: { "requests.cpu": "2", "limits.cpu": "1" } },
    });
    expect((await order.json()).message).toMatch(/quota.limits.cpu \(1\) cannot be below quota.requests.cpu \(2\)/);
    const name = await rest(`/clusters/${clusterId}/namespaces`, { token, method: "POST", body: { name: "-x" } });
    expect((await name.json()).message).toMatch(/name: Namespace name must be a DNS label/);
    const label = await rest(`/clusters/${clusterId}/namespaces`, {
      token,
      method: "POST",
      body: { name: "q4", labels: { "app.kubernetes.io/managed-by": "me" } },
    });
    expect((await label.json()).message).toMatch(/reserved for the platform/);
    const tpl = await rest(`/clusters/${clusterId}/namespaces`, {
      token,
      method: "POST",
      body: { name: "q5", template: "huge" },
    });
    expect((await tpl.json()).message).toMatch(/template: there is no template named "huge"/);
    const ro = await rest(`/clusters/${clusterId}/namespaces`, {
      token: readToken,
      method: "POST",
      body: { name: "q6" },
    });
    expect(ro.status).toBe(403);
  });

  it("lets admins edit templates and members only read them", async () => {
    const o = await userCaller(owner.userId);
    const m = await userCaller(member.userId, { org: owner.orgId });
    expect((await m.namespaces.templates()).map((t) => t.name)).toEqual(["small", "medium", "large"]);
    const saved = await o.namespaces.saveTemplate({
      name: "medium",
      quota: { "requests.cpu": "750m", pods: "30" },
      limits: { defaultRequest: { cpu: "50m" }, default: { cpu: "250m" } },
    });
    expect(saved.quota).toEqual({ "requests.cpu": "750m", pods: "30" });
    const ns = await o.namespaces.create({ clusterId, name: "from-edited", template: "medium" });
    expect(ns.quota).toEqual({ "requests.cpu": "750m", pods: "30" });
    expect(
      (
        await errorOf(() =>
          m.namespaces.saveTemplate({ name: "x", quota: {}, limits: { defaultRequest: {}, default: {} } }),
        )
      ).code,
    ).toBe("FORBIDDEN");
    expect((await errorOf(() => m.namespaces.setOvercommit({ ratio: 2 }))).code).toBe("FORBIDDEN");
    expect((await errorOf(() => o.namespaces.setOvercommit({ ratio: 0.5 }))).message).toMatch(
      /ratio must be at least 1/,
    );
  });

  it("keeps secret values out of every answer and refuses a bad TLS secret", async () => {
    const o = await userCaller(owner.userId);
    const ns = (await o.namespaces.list({ clusterId })).find((n) => n.name === "queued")!;
    const value = "never-shown-value-123";
    const res = await rest(`/namespaces/${ns.id}/secrets`, {
      token,
      method: "POST",
      body: {
        name: "registry",
        content: { type: "docker-registry", server: "r.example.com", username: "u", password: value },
      },
    });
    const created = await res.json();
    expect(created.keys).toEqual([".dockerconfigjson"]);
    expect(created.type).toBe("kubernetes.io/dockerconfigjson");
    const list = await (await rest(`/namespaces/${ns.id}/secrets`, { token })).text();
    expect(list).toContain("registry");
    expect(list.includes(value)).toBe(false);
    const row = await getDb().namespaceItem.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.data.startsWith("ndk1.")).toBe(true);
    expect(row.data.includes(value)).toBe(false);
    const tls = await errorOf(() =>
      o.secrets.create({ namespaceId: ns.id, name: "tls", content: { type: "tls", cert: "nope", key: "nope" } }),
    );
    expect(tls.message).toMatch(/cert must be a PEM certificate/);
    // API tokens cannot reveal (a user must re-enter a password).
    const reveal = await errorOf(async () => (await tokenCaller(token)).secrets.reveal({ id: created.id }));
    expect(reveal.code).toBe("FORBIDDEN");
    // Deleting `default` is refused; other names need the typed confirmation.
    const def = await o.namespaces.create({ clusterId, name: "default" });
    expect((await errorOf(() => o.namespaces.delete({ id: def.id, confirmName: "default" }))).message).toMatch(
      /cannot be deleted/,
    );
    expect((await errorOf(() => o.namespaces.delete({ id: ns.id, confirmName: "nope" }))).message).toMatch(
      /confirmName/,
    );
  });
});
