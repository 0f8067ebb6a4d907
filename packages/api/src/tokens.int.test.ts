import { getDb } from "@nuage/db";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, errorOf, rest, signUpUser, tokenCaller, userCaller } from "./test/helpers.ts";

afterAll(cleanup);

describe("API tokens", () => {
  it("shows the token once, stores only its hash, and authenticates REST /api/v1/me", async () => {
    const u = await signUpUser("tok");
    const c = await userCaller(u.userId);
    const created = await c.tokens.create({ name: "ci", scope: "write" });
    expect(created.token).toMatch(/^nuage_[\w-]{40,}$/);
    expect(created.prefix).toBe(created.token.slice(0, 12));
    const row = await getDb().apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(JSON.stringify(row)).not.toContain(created.token);
    const listed = await c.tokens.list();
    expect(listed).toEqual([expect.objectContaining({ id: created.id, name: "ci", scope: "write", lastUsedAt: null })]);
    expect(JSON.stringify(listed)).not.toContain(created.token);

    const res = await rest("/me", { token: created.token });
    expect(res.status).toBe(200);
    const me = await res.json();
    expect(me).toMatchObject({
      user: { id: u.userId, email: u.email },
      currentOrg: { id: u.orgId },
      token: { id: created.id, name: "ci", scope: "write" },
    });
    expect(me.orgs).toHaveLength(1);
    const after = await c.tokens.list();
    expect(after[0]!.lastUsedAt).toBeInstanceOf(Date);
  });

  it("a read token reads but cannot call mutations", async () => {
    const u = await signUpUser("ro");
    const { token } = await (await userCaller(u.userId)).tokens.create({ name: "ro", scope: "read" });
    const t = await tokenCaller(token);
    expect((await t.members.list()).map((m) => m.userId)).toEqual([u.userId]);
    expect(await errorOf(() => t.tokens.create({ name: "x", scope: "write" }))).toEqual({
      code: "FORBIDDEN",
      message: "This API token is read-only (scope read); this action needs a token with the write scope",
    });
    const res = await rest("/tokens", { token, method: "POST", body: { name: "x", scope: "write" } });
    expect(res.status).toBe(403);
    expect((await res.json()).message).toMatch(/read-only/);
    expect((await rest("/members", { token })).status).toBe(200);
  });

  it("a write token manages tokens through REST, audited as the token", async () => {
    const u = await signUpUser("rw");
    const { token } = await (await userCaller(u.userId)).tokens.create({ name: "rw", scope: "write" });
    const res = await rest("/tokens", {
      token,
      method: "POST",
      body: { name: "made by rest", scope: "read", expiresAt: "2099-01-01T00:00:00Z" },
    });
    expect(res.status).toBe(200);
    const made = await res.json();
    expect(made).toMatchObject({ name: "made by rest", scope: "read", expiresAt: "2099-01-01T00:00:00.000Z" });
    expect(made.token).toMatch(/^nuage_/);
    const del = await rest(`/tokens/${made.id}`, { token, method: "DELETE" });
    expect(del.status).toBe(200);
    expect((await del.json()).revokedAt).toEqual(expect.any(String));
    const audit = await rest("/audit?action=token.create", { token });
    expect(audit.status).toBe(200);
    const items = (await audit.json()).items;
    expect(items[0]).toMatchObject({
      action: "token.create",
      actorType: "token",
      actorTokenName: "rw",
      targetId: made.id,
    });
    const bad = await rest("/tokens", { token, method: "POST", body: { name: "", scope: "admin" } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toBe("name: Token name is required; scope: scope must be read or write");
  });

  it("revoked, expired and unknown tokens get 401 with their own message", async () => {
    const u = await signUpUser("revoke");
    const c = await userCaller(u.userId);
    const revoked = await c.tokens.create({ name: "old", scope: "write" });
    await c.tokens.revoke({ id: revoked.id });
    const r1 = await rest("/me", { token: revoked.token });
    expect(r1.status).toBe(401);
    expect((await r1.json()).message).toBe("This API token was revoked");

    const expiring = await c.tokens.create({ name: "exp", scope: "read", expiresAt: new Date(Date.now() + 60_000) });
    await getDb().apiToken.update({
      where: { id: expiring.id },
      data: { expiresAt: new Date("2026-01-01T00:00:00Z") },
    });
    const r2 = await rest("/me", { token: expiring.token });
    expect(r2.status).toBe(401);
    expect((await r2.json()).message).toBe("This API token expired on 2026-01-01T00:00:00.000Z");

    const r3 = await rest("/me", { token: "nuage_doesnotexist0000000000000000000000000" });
    expect(r3.status).toBe(401);
    expect((await r3.json()).message).toBe("Unknown API token");
    const r4 = await rest("/me");
    expect(r4.status).toBe(401);
    expect(await r4.json()).toMatchObject({ message: expect.stringMatching(/Authorization: Bearer/) });
  });

  it("refuses an expiry in the past, naming the field", async () => {
    const u = await signUpUser("past");
    const err = await errorOf(async () =>
      (await userCaller(u.userId)).tokens.create({ name: "x", scope: "read", expiresAt: new Date(Date.now() - 1000) }),
    );
    expect(err).toEqual({ code: "BAD_REQUEST", message: "expiresAt: expiresAt must be in the future" });
  });

  it("serves the OpenAPI document", async () => {
    const res = await rest("/openapi.json");
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/audit",
      "/billing",
      "/billing/plan",
      "/billing/plans",
      "/clusters",
      "/clusters/{clusterId}/credentials",
      "/clusters/{clusterId}/namespaces",
      "/clusters/{clusterId}/operations",
      "/clusters/{id}",
      "/clusters/{id}/events",
      "/clusters/{id}/kubeconfig",
      "/configmaps/{id}",
      "/credentials/{id}",
      "/flavors",
      "/invoices",
      "/invoices/{id}",
      "/me",
      "/members",
      "/namespace-access/{id}",
      "/namespace-templates",
      "/namespaces/{id}",
      "/namespaces/{id}/usage",
      "/namespaces/{namespaceId}/access",
      "/namespaces/{namespaceId}/configmaps",
      "/namespaces/{namespaceId}/secrets",
      "/operations/{id}",
      "/operations/{id}/retry",
      "/org",
      "/regions",
      "/secrets/{id}",
      "/tokens",
      "/tokens/{id}",
      "/usage",
      "/usage/budget",
      "/usage/export",
      "/versions",
    ]);
    expect(Object.keys(doc.paths["/tokens/{id}"])).toEqual(["delete"]);
  });
});
