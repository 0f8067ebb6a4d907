// Cross-tenant: a user or token of org A gets NOT_FOUND for every org-B object, through tRPC and
// REST. The table below must name EVERY procedure of the app router: a new procedure fails this
// test until it says how it is scoped (and, when it takes an id, how to probe it).
import { getDb } from "@nuage/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "./root.ts";
import {
  cleanup,
  errorOf,
  rest,
  signUpUser,
  type TestUser,
  tokenCaller,
  track,
  uid,
  userCaller,
} from "./test/helpers.ts";

type Caller = Awaited<ReturnType<typeof userCaller>>;
interface World {
  a: TestUser;
  b: TestUser;
  bInvitationId: string;
  bTokenId: string;
  bAuditId: string;
  bClusterId: string;
  bOperationId: string;
  bCredentialId: string;
}

type Rule =
  | { kind: "public" | "self" | "platform"; why: string }
  /** Lists/reads of the current org: A's answer must not mention any org-B id. */
  | { kind: "org-read"; call: (c: Caller) => Promise<unknown> }
  /** Takes the id of an org-owned object: given org B's id, A must get NOT_FOUND. */
  | {
      kind: "org-id";
      call: (c: Caller, w: World) => Promise<unknown>;
      rest?: (w: World) => { path: string; method: string; body?: unknown };
    };

const USAGE_FROM = new Date("2026-01-01T00:00:00Z");
const USAGE_TO = new Date("2026-01-08T00:00:00Z");
const usageQuery = (clusterId: string) =>
  new URLSearchParams({ from: USAGE_FROM.toISOString(), to: USAGE_TO.toISOString(), clusterId }).toString();

const RULES: Record<string, Rule> = {
  "auth.signUp": { kind: "public", why: "creates an account; no org object is addressed" },
  "auth.verifyEmail": { kind: "public", why: "addressed by a secret token" },
  "auth.requestPasswordReset": { kind: "public", why: "same answer for every address" },
  "auth.resetPassword": { kind: "public", why: "addressed by a secret token" },
  "auth.passwordPolicy": { kind: "public", why: "static text" },
  "auth.resendVerification": { kind: "self", why: "acts on the caller's own account" },
  "invitations.get": { kind: "public", why: "addressed by a secret token" },
  "invitations.accept": { kind: "self", why: "secret token and the caller's own e-mail must match" },
  "org.create": { kind: "self", why: "creates a new org owned by the caller" },
  "members.leave": { kind: "self", why: "removes the caller from the current org" },
  "me.update": { kind: "self", why: "changes the caller's own name" },
  "me.changePassword": { kind: "self", why: "changes the caller's own password" },
  "admin.listOrgs": { kind: "platform", why: "platform admins only (see the test below)" },
  // The admin console (issue 7): platform-wide by design, NOT_FOUND for everyone else (admin.int.test.ts).
  ...Object.fromEntries(
    [
      "admin.announcements.archive",
      "admin.announcements.create",
      "admin.announcements.list",
      "admin.audit.list",
      "admin.clusters.forceDelete",
      "admin.clusters.get",
      "admin.clusters.list",
      "admin.clusters.reconcile",
      "admin.clusters.retryOperation",
      "admin.ops.failedJobs",
      "admin.ops.hosts",
      "admin.ops.queues",
      "admin.ops.retryJob",
      "admin.ops.setHostState",
      "admin.overview",
      "admin.tenants.delete",
      "admin.tenants.extendTrial",
      "admin.tenants.get",
      "admin.tenants.resume",
      "admin.tenants.search",
      "admin.tenants.setPlan",
      "admin.tenants.setQuotas",
      "admin.tenants.suspend",
    ].map((p) => [p, { kind: "platform", why: "admin console: platform admins only" } as Rule]),
  ),
  "me.get": { kind: "org-read", call: (c) => c.me.get() },
  "me.currentOrg": { kind: "org-read", call: (c) => c.me.currentOrg() },
  "org.get": { kind: "org-read", call: (c) => c.org.get() },
  "org.update": { kind: "org-read", call: (c) => c.org.update({ name: `A renamed ${uid()}` }) },
  "members.list": { kind: "org-read", call: (c) => c.members.list() },
  "invitations.list": { kind: "org-read", call: (c) => c.invitations.list() },
  "invitations.create": {
    kind: "org-read",
    call: (c) => c.invitations.create({ email: `x-${uid()}@t.local`, role: "viewer" }),
  },
  "tokens.list": { kind: "org-read", call: (c) => c.tokens.list() },
  "tokens.create": { kind: "org-read", call: (c) => c.tokens.create({ name: "a", scope: "read" }) },
  "audit.list": {
    kind: "org-id",
    call: (c, w) => c.audit.list({ cursor: w.bAuditId }),
    rest: (w) => ({ path: `/audit?cursor=${w.bAuditId}`, method: "GET" }),
  },
  "members.updateRole": {
    kind: "org-id",
    call: (c, w) => c.members.updateRole({ userId: w.b.userId, role: "viewer" }),
  },
  "members.remove": { kind: "org-id", call: (c, w) => c.members.remove({ userId: w.b.userId }) },
  "invitations.revoke": { kind: "org-id", call: (c, w) => c.invitations.revoke({ id: w.bInvitationId }) },
  "tokens.revoke": {
    kind: "org-id",
    call: (c, w) => c.tokens.revoke({ id: w.bTokenId }),
    rest: (w) => ({ path: `/tokens/${w.bTokenId}`, method: "DELETE" }),
  },
  // Clusters (issue 4).
  "catalog.regions": { kind: "org-read", call: (c) => c.catalog.regions() },
  "catalog.flavors": { kind: "org-read", call: (c) => c.catalog.flavors() },
  "catalog.versions": { kind: "org-read", call: (c) => c.catalog.versions() },
  "clusters.estimate": {
    kind: "org-read",
    call: (c) => c.clusters.estimate({ nodePools: [{ name: "p", flavor: "s-1vcpu-2gb", count: 1 }] }),
  },
  "clusters.list": { kind: "org-read", call: (c) => c.clusters.list() },
  "clusters.create": {
    kind: "org-read",
    call: (c) => c.clusters.create({ name: `a-${uid()}`, nodePools: [{ name: "p", flavor: "s-1vcpu-2gb", count: 1 }] }),
  },
  "credentials.policy": { kind: "org-read", call: (c) => c.credentials.policy() },
  "credentials.setPolicy": { kind: "org-read", call: (c) => c.credentials.setPolicy({ maxTtlHours: 48 }) },
  "clusters.get": {
    kind: "org-id",
    call: (c, w) => c.clusters.get({ id: w.bClusterId }),
    rest: (w) => ({ path: `/clusters/${w.bClusterId}`, method: "GET" }),
  },
  "clusters.update": {
    kind: "org-id",
    call: (c, w) => c.clusters.update({ id: w.bClusterId, haControlPlane: true }),
    rest: (w) => ({ path: `/clusters/${w.bClusterId}`, method: "PATCH", body: { haControlPlane: true } }),
  },
  "clusters.delete": {
    kind: "org-id",
    call: (c, w) => c.clusters.delete({ id: w.bClusterId, confirmName: "b-cluster" }),
    rest: (w) => ({ path: `/clusters/${w.bClusterId}?confirmName=b-cluster`, method: "DELETE" }),
  },
  "clusters.events": {
    kind: "org-id",
    call: (c, w) => c.clusters.events({ id: w.bClusterId }),
    rest: (w) => ({ path: `/clusters/${w.bClusterId}/events`, method: "GET" }),
  },
  "clusters.kubeconfig": {
    kind: "org-id",
    call: (c, w) => c.clusters.kubeconfig({ id: w.bClusterId, ttlHours: 1 }),
    rest: (w) => ({ path: `/clusters/${w.bClusterId}/kubeconfig?ttlHours=1`, method: "GET" }),
  },
  "clusters.watch": {
    kind: "org-id",
    call: async (c, w) => {
      const it = await c.clusters.watch({ id: w.bClusterId });
      for await (const _ of it) break;
    },
  },
  "operations.list": {
    kind: "org-id",
    call: (c, w) => c.operations.list({ clusterId: w.bClusterId }),
    rest: (w) => ({ path: `/clusters/${w.bClusterId}/operations`, method: "GET" }),
  },
  "operations.get": {
    kind: "org-id",
    call: (c, w) => c.operations.get({ id: w.bOperationId }),
    rest: (w) => ({ path: `/operations/${w.bOperationId}`, method: "GET" }),
  },
  "operations.retry": {
    kind: "org-id",
    call: (c, w) => c.operations.retry({ id: w.bOperationId }),
    rest: (w) => ({ path: `/operations/${w.bOperationId}/retry`, method: "POST", body: {} }),
  },
  "credentials.list": {
    kind: "org-id",
    call: (c, w) => c.credentials.list({ clusterId: w.bClusterId }),
    rest: (w) => ({ path: `/clusters/${w.bClusterId}/credentials`, method: "GET" }),
  },
  "credentials.revoke": {
    kind: "org-id",
    call: (c, w) => c.credentials.revoke({ id: w.bCredentialId }),
    rest: (w) => ({ path: `/credentials/${w.bCredentialId}`, method: "DELETE" }),
  },
  // Metering (issue 6): usage of the current org; a cluster id of another org is NOT_FOUND.
  "usage.report": {
    kind: "org-id",
    call: (c, w) => c.usage.report({ from: USAGE_FROM, to: USAGE_TO, clusterId: w.bClusterId }),
    rest: (w) => ({ path: `/usage?${usageQuery(w.bClusterId)}`, method: "GET" }),
  },
  "usage.export": {
    kind: "org-id",
    call: (c, w) => c.usage.export({ from: USAGE_FROM, to: USAGE_TO, clusterId: w.bClusterId }),
    rest: (w) => ({ path: `/usage/export?${usageQuery(w.bClusterId)}`, method: "GET" }),
  },
  "usage.budget": { kind: "org-read", call: (c) => c.usage.budget() },
  // Billing (issue 6): the current org's money; an invoice id of another org is NOT_FOUND.
  "billing.summary": { kind: "org-read", call: (c) => c.billing.summary() },
  "billing.invoices": { kind: "org-read", call: (c) => c.billing.invoices() },
  "billing.syncPaymentMethod": { kind: "org-read", call: (c) => c.billing.syncPaymentMethod() },
  "billing.plans": { kind: "org-read", call: (c) => c.billing.plans() },
  "billing.changePlan": { kind: "self", why: "switches the plan of the caller's current org; no id in the input" },
  "billing.checkout": { kind: "self", why: "opens Stripe Checkout for the caller's current org; no id in the input" },
  "billing.portal": { kind: "self", why: "opens the Stripe portal for the caller's current org; no id in the input" },
  "billing.invoice": {
    kind: "org-id",
    call: (c) => c.billing.invoice({ id: billingB.invoiceId }),
    rest: () => ({ path: `/invoices/${billingB.invoiceId}`, method: "GET" }),
  },
  ...Object.fromEntries(
    [
      "billing.admin.priceBook",
      "billing.admin.updatePriceBook",
      "billing.admin.setPlan",
      "billing.admin.grantCredit",
      "billing.admin.dunning",
      "billing.admin.status",
      "billing.admin.closeMonth",
    ].map((p) => [
      p,
      { kind: "platform", why: "price book, plans, credits and dunning: platform admins only" } as Rule,
    ]),
  ),
  "usage.setBudget": { kind: "org-read", call: (c) => c.usage.setBudget({ amountMinor: 5000 }) },
  // Namespaces, secrets, configmaps, scoped access (issue 5): org-B objects from the block below.
  "namespaces.templates": { kind: "org-read", call: (c) => c.namespaces.templates() },
  "namespaces.caps": { kind: "org-read", call: (c) => c.namespaces.caps() },
  "namespaces.setOvercommit": { kind: "org-read", call: (c) => c.namespaces.setOvercommit({ ratio: 1 }) },
  "namespaces.saveTemplate": {
    kind: "org-read",
    call: (c) =>
      c.namespaces.saveTemplate({ name: "a-tpl", quota: { pods: "5" }, limits: { defaultRequest: {}, default: {} } }),
  },
  "secrets.reauthStatus": { kind: "org-read", call: (c) => c.secrets.reauthStatus() },
  "secrets.reauthenticate": { kind: "self", why: "checks the caller's own password" },
  "namespaces.list": {
    kind: "org-id",
    call: (c, w) => c.namespaces.list({ clusterId: w.bClusterId }),
    rest: (w) => ({ path: `/clusters/${w.bClusterId}/namespaces`, method: "GET" }),
  },
  "namespaces.create": {
    kind: "org-id",
    call: (c, w) => c.namespaces.create({ clusterId: w.bClusterId, name: "a-ns" }),
    rest: (w) => ({ path: `/clusters/${w.bClusterId}/namespaces`, method: "POST", body: { name: "a-ns" } }),
  },
  "namespaces.get": {
    kind: "org-id",
    call: (c) => c.namespaces.get({ id: nsB.namespaceId }),
    rest: () => ({ path: `/namespaces/${nsB.namespaceId}`, method: "GET" }),
  },
  "namespaces.usage": {
    kind: "org-id",
    call: (c) => c.namespaces.usage({ id: nsB.namespaceId }),
    rest: () => ({ path: `/namespaces/${nsB.namespaceId}/usage`, method: "GET" }),
  },
  "namespaces.update": {
    kind: "org-id",
    call: (c) => c.namespaces.update({ id: nsB.namespaceId, labels: { a: "b" } }),
    rest: () => ({ path: `/namespaces/${nsB.namespaceId}`, method: "PATCH", body: { labels: { a: "b" } } }),
  },
  "namespaces.delete": {
    kind: "org-id",
    call: (c) => c.namespaces.delete({ id: nsB.namespaceId, confirmName: "b-ns" }),
    rest: () => ({ path: `/namespaces/${nsB.namespaceId}?confirmName=b-ns`, method: "DELETE" }),
  },
  "namespaces.deleteTemplate": { kind: "org-id", call: (c) => c.namespaces.deleteTemplate({ id: nsB.templateId }) },
  "secrets.list": {
    kind: "org-id",
    call: (c) => c.secrets.list({ namespaceId: nsB.namespaceId }),
    rest: () => ({ path: `/namespaces/${nsB.namespaceId}/secrets`, method: "GET" }),
  },
  "secrets.create": {
    kind: "org-id",
    call: (c) =>
      c.secrets.create({ namespaceId: nsB.namespaceId, name: "a", content: { type: "generic", data: { k: "v" } } }),
    rest: () => ({
      path: `/namespaces/${nsB.namespaceId}/secrets`,
      method: "POST",
      body: { name: "a", content: { type: "generic", data: { k: "v" } } },
    }),
  },
  "secrets.update": {
    kind: "org-id",
    call: (c) => c.secrets.update({ id: nsB.secretId, content: { type: "generic", data: { k: "v" } } }),
    rest: () => ({
      path: `/secrets/${nsB.secretId}`,
      method: "PUT",
      body: { content: { type: "generic", data: { k: "v" } } },
    }),
  },
  "secrets.delete": {
    kind: "org-id",
    call: (c) => c.secrets.delete({ id: nsB.secretId }),
    rest: () => ({ path: `/secrets/${nsB.secretId}`, method: "DELETE" }),
  },
  "secrets.reveal": { kind: "org-id", call: (c) => c.secrets.reveal({ id: nsB.secretId }) },
  "configMaps.list": {
    kind: "org-id",
    call: (c) => c.configMaps.list({ namespaceId: nsB.namespaceId }),
    rest: () => ({ path: `/namespaces/${nsB.namespaceId}/configmaps`, method: "GET" }),
  },
  "configMaps.create": {
    kind: "org-id",
    call: (c) => c.configMaps.create({ namespaceId: nsB.namespaceId, name: "a", data: { k: "v" } }),
    rest: () => ({
      path: `/namespaces/${nsB.namespaceId}/configmaps`,
      method: "POST",
      body: { name: "a", data: { k: "v" } },
    }),
  },
  "configMaps.update": {
    kind: "org-id",
    call: (c) => c.configMaps.update({ id: nsB.configMapId, data: { k: "v" } }),
    rest: () => ({ path: `/configmaps/${nsB.configMapId}`, method: "PUT", body: { data: { k: "v" } } }),
  },
  "configMaps.delete": {
    kind: "org-id",
    call: (c) => c.configMaps.delete({ id: nsB.configMapId }),
    rest: () => ({ path: `/configmaps/${nsB.configMapId}`, method: "DELETE" }),
  },
  "namespaceAccess.list": {
    kind: "org-id",
    call: (c) => c.namespaceAccess.list({ namespaceId: nsB.namespaceId }),
    rest: () => ({ path: `/namespaces/${nsB.namespaceId}/access`, method: "GET" }),
  },
  "namespaceAccess.create": {
    kind: "org-id",
    call: (c, w) => c.namespaceAccess.create({ namespaceId: nsB.namespaceId, userId: w.a.userId, role: "viewer" }),
    rest: (w) => ({
      path: `/namespaces/${nsB.namespaceId}/access`,
      method: "POST",
      body: { userId: w.a.userId, role: "viewer" },
    }),
  },
  "namespaceAccess.delete": {
    kind: "org-id",
    call: (c) => c.namespaceAccess.delete({ id: nsB.grantId }),
    rest: () => ({ path: `/namespace-access/${nsB.grantId}`, method: "DELETE" }),
  },
};

let w: World;
let aToken: string;
const callers: { name: string; make: () => Promise<Caller> }[] = [];

beforeAll(async () => {
  const a = await signUpUser("tenant-a", { verified: true });
  const b = await signUpUser("tenant-b", { verified: true });
  const bc = await userCaller(b.userId);
  const email = `b-invitee-${uid()}@test.nuage.local`;
  track({ email });
  const inv = await bc.invitations.create({ email, role: "member" });
  const tok = await bc.tokens.create({ name: "b", scope: "write" });
  const auditRow = await getDb().auditLog.findFirstOrThrow({ where: { orgId: b.orgId } });
  const cluster = await bc.clusters.create({
    name: "b-cluster",
    nodePools: [{ name: "p", flavor: "s-1vcpu-2gb", count: 1 }],
  });
  // No worker takes this org's jobs (private queue prefix): the cluster stays provisioning. A
  // credential row as one issued by the provider would be.
  const cred = await getDb().clusterCredential.create({
    data: {
      orgId: b.orgId,
      clusterId: cluster.id,
      userId: b.userId,
      subject: b.email,
      groups: ["nuage:owners"],
      serial: "abc123",
      expiresAt: new Date(Date.now() + 3_600_000),
    },
  });
  w = {
    a,
    b,
    bInvitationId: inv.id,
    bTokenId: tok.id,
    bAuditId: auditRow.id,
    bClusterId: cluster.id,
    bOperationId: cluster.currentOperation!.id,
    bCredentialId: cred.id,
  };
  aToken = (await (await userCaller(a.userId)).tokens.create({ name: "a-write", scope: "write" })).token;
  callers.push({ name: "A's owner (session)", make: () => userCaller(a.userId) });
  callers.push({ name: "A's write token", make: () => tokenCaller(aToken) });
});
// Org B's namespace objects (issue 5), made through B's own procedures (queued: its cluster provisions).
const nsB = { namespaceId: "", secretId: "", configMapId: "", grantId: "", templateId: "" };
beforeAll(async () => {
  const bc = await userCaller(w.b.userId);
  const ns = await bc.namespaces.create({ clusterId: w.bClusterId, name: "b-ns", template: "small" });
  const secret = await bc.secrets.create({
    namespaceId: ns.id,
    name: "b-secret",
    content: { type: "generic", data: { k: "b-value" } },
  });
  const cm = await bc.configMaps.create({ namespaceId: ns.id, name: "b-cm", data: { k: "v" } });
  // A grant row as namespaceAccess.create writes it (B's membership list stays as the test above expects).
  const grant = await getDb().namespaceGrant.create({
    data: { orgId: w.b.orgId, namespaceId: ns.id, userId: w.b.userId, role: "viewer" },
  });
  const tpl = (await bc.namespaces.templates())[0]!;
  Object.assign(nsB, {
    namespaceId: ns.id,
    secretId: secret.id,
    configMapId: cm.id,
    grantId: grant.id,
    templateId: tpl.id,
  });
});
// Org B's invoice (issue 6): its month-to-date draft, made by B's own billing summary.
const billingB = { invoiceId: "" };
beforeAll(async () => {
  const s = await (await userCaller(w.b.userId)).billing.summary();
  billingB.invoiceId = s.monthToDate.invoiceId;
});
afterAll(cleanup);

describe("cross-tenant isolation", () => {
  it("every procedure of the app router is in the cross-tenant table", () => {
    const procedures = Object.keys(appRouter._def.procedures).sort();
    const missing = procedures.filter((p) => !(p in RULES));
    expect(missing, `add these procedures to RULES in crosstenant.int.test.ts`).toEqual([]);
    expect(Object.keys(RULES).filter((p) => !procedures.includes(p))).toEqual([]);
  });

  it("org-B ids get NOT_FOUND through tRPC, for a session and a token of org A", async () => {
    for (const { name, make } of callers) {
      for (const [path, rule] of Object.entries(RULES)) {
        if (rule.kind !== "org-id") continue;
        const err = await errorOf(async () => rule.call(await make(), w));
        expect(err.code, `${path} as ${name}: ${err.message}`).toBe("NOT_FOUND");
      }
    }
  });

  it("org reads and writes of A never mention org-B objects", async () => {
    const bIds = [
      w.b.orgId,
      w.b.userId,
      w.bInvitationId,
      w.bTokenId,
      w.bAuditId,
      w.bClusterId,
      w.bOperationId,
      w.bCredentialId,
    ];
    for (const { name, make } of callers) {
      for (const [path, rule] of Object.entries(RULES)) {
        if (rule.kind !== "org-read") continue;
        const out = JSON.stringify(await rule.call(await make()));
        for (const id of bIds) expect(out.includes(id), `${path} as ${name} leaked ${id}`).toBe(false);
      }
    }
  });

  it("platform procedures refuse org users and tokens", async () => {
    for (const { name, make } of callers) {
      for (const [path, rule] of Object.entries(RULES)) {
        if (rule.kind !== "platform") continue;
        // Nested routers (admin.tenants.get): walk the caller along the path.
        let fn: unknown = await make();
        for (const part of path.split(".")) fn = (fn as Record<string, unknown>)[part];
        const err = await errorOf(() => (fn as (i?: unknown) => Promise<unknown>)({ id: "x" }));
        expect(err.code, `${path} as ${name}`).toBe("NOT_FOUND");
      }
    }
  });

  it("naming org B in x-nuage-org is refused for A's user, and B's objects are untouched", async () => {
    const c = await userCaller(w.a.userId, { org: w.b.orgId });
    expect((await errorOf(() => c.org.get())).code).toBe("NOT_FOUND");
    expect((await errorOf(() => c.members.list())).code).toBe("NOT_FOUND");
    const b = await userCaller(w.b.userId);
    expect((await b.tokens.list()).find((t) => t.id === w.bTokenId)?.revokedAt).toBeNull();
    expect((await b.invitations.list()).find((i) => i.id === w.bInvitationId)?.status).toBe("valid");
    expect((await b.members.list()).map((m) => m.userId)).toEqual([w.b.userId]);
    const bc = await b.clusters.get({ id: w.bClusterId });
    expect(bc.status).toBe("provisioning");
    expect(bc.haControlPlane).toBe(false);
    expect((await b.credentials.list({ clusterId: w.bClusterId }))[0]?.status).toBe("active");
  });

  it("org-B ids get 404 through REST with A's token; REST reads show only org A", async () => {
    for (const [path, rule] of Object.entries(RULES)) {
      if (rule.kind !== "org-id" || !rule.rest) continue;
      const { path: p, method, body } = rule.rest(w);
      const res = await rest(p, { token: aToken, method, body });
      expect(res.status, `${path} via REST ${method} ${p}`).toBe(404);
    }
    // Every REST GET in the OpenAPI document, with A's token: 200 and no org-B id.
    const doc = await (await rest("/openapi.json")).json();
    const gets = Object.entries(doc.paths as Record<string, Record<string, unknown>>).filter(
      ([p, ops]) => ops.get && !p.includes("{"),
    );
    expect(gets.length).toBeGreaterThanOrEqual(5);
    for (const [p] of gets) {
      const res = await rest(p, { token: aToken });
      expect(res.status, `GET ${p}`).toBe(200);
      const text = await res.text();
      for (const id of [w.b.orgId, w.b.userId, w.bTokenId, w.bAuditId, w.bClusterId, w.bOperationId])
        expect(text.includes(id), `GET ${p} leaked ${id}`).toBe(false);
    }
  });
});
