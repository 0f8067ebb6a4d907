// The usage API through tRPC and REST: roles for the budget, validation naming the field, CSV download,
// and the report of what the ledger holds for the org.
import { recordSamples, rollupAll } from "@nuage/core";
import { getDb } from "@nuage/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, errorOf, rest, signUpUser, type TestUser, tokenCaller, userCaller } from "./test/helpers.ts";

let owner: TestUser;
let readToken: string;
let writeToken: string;
const clusterId = `h6a-api-${Date.now()}`;

beforeAll(async () => {
  owner = await signUpUser("h6a-usage", { verified: true });
  const c = await userCaller(owner.userId);
  readToken = (await c.tokens.create({ name: "read", scope: "read" })).token;
  writeToken = (await c.tokens.create({ name: "write", scope: "write" })).token;
  await getDb().cluster.create({
    data: {
      id: clusterId,
      orgId: owner.orgId,
      name: "api-usage",
      region: "local-1",
      version: "1.32",
      status: "running",
    },
  });
  await recordSamples([
    {
      orgId: owner.orgId,
      clusterId,
      namespace: "",
      meter: "node_vcpu_seconds",
      windowStart: new Date("2026-02-03T10:00:00Z"),
      windowSeconds: 60,
      quantity: 240n,
      source: "collector",
    },
    {
      orgId: owner.orgId,
      clusterId,
      namespace: "api",
      meter: "memory_request_mib_seconds",
      windowStart: new Date("2026-02-03T10:00:00Z"),
      windowSeconds: 60,
      quantity: 7680n,
      source: "collector",
    },
  ]);
  await rollupAll();
});

afterAll(async () => {
  const db = getDb();
  for (const t of ["usageSample", "usageRollup", "usageSummary", "usageRollupDirty", "orgBudget"] as const)
    await (db[t] as unknown as { deleteMany(a: unknown): Promise<unknown> }).deleteMany({
      where: { orgId: owner.orgId },
    });
  await cleanup();
});

const q = `from=2026-02-01T00:00:00Z&to=2026-03-01T00:00:00Z`;

describe("usage API", () => {
  it("reports the org's usage through tRPC and REST, and exports CSV", async () => {
    const c = await userCaller(owner.userId);
    const r = await c.usage.report({ from: new Date("2026-02-01"), to: new Date("2026-03-01") });
    expect(r.byCluster).toEqual([
      { clusterId, clusterName: "api-usage", values: { node_vcpu_seconds: "240", memory_request_mib_seconds: "7680" } },
    ]);
    expect(r.byNamespace[0]).toMatchObject({ namespace: "api", values: { memory_request_mib_seconds: "7680" } });

    const res = await rest(`/usage?${q}&granularity=hour`, { token: readToken });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.series).toEqual([
      {
        periodStart: "2026-02-03T10:00:00.000Z",
        values: { node_vcpu_seconds: "240", memory_request_mib_seconds: "7680" },
      },
    ]);

    const csv = await rest(`/usage.csv?${q}`, { token: readToken });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csv.headers.get("content-disposition")).toBe('attachment; filename="nuage-usage-2026-02-01-2026-03-01.csv"');
    const text = await csv.text();
    expect(text).toContain(
      `2026-02-03T00:00:00.000Z,${clusterId},api-usage,api,memory_request_mib_seconds,7680,0.0021,GiB-hours`,
    );
    expect((await rest(`/usage.csv?from=nope`, { token: readToken })).status).toBe(400);
  });

  it("refuses bad ranges naming the field", async () => {
    const res = await rest(`/usage?from=2026-03-01T00:00:00Z&to=2026-02-01T00:00:00Z`, { token: readToken });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toMatch(/end of the range/);
    const bad = await rest(`/usage?from=yesterday`, { token: readToken });
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toMatch(/^from: /);
  });

  it("lets owners and admins set the budget, not read tokens or viewers", async () => {
    expect((await rest("/usage/budget", { token: readToken, method: "PUT", body: { amountMinor: 100 } })).status).toBe(
      403,
    );
    const ok = await rest("/usage/budget", { token: writeToken, method: "PUT", body: { amountMinor: 2500 } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ amountMinor: 2500, currency: "EUR", alertsSent: [] });
    const bad = await rest("/usage/budget", { token: writeToken, method: "PUT", body: { amountMinor: 12.5 } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toMatch(/amountMinor/);
    const c = await tokenCaller(writeToken);
    expect(await errorOf(() => c.usage.setBudget({ amountMinor: -5 }))).toMatchObject({ code: "BAD_REQUEST" });
    await getDb().membership.updateMany({
      where: { orgId: owner.orgId, userId: owner.userId },
      data: { role: "viewer" },
    });
    try {
      const v = await userCaller(owner.userId);
      expect(await errorOf(() => v.usage.setBudget({ amountMinor: 100 }))).toEqual({
        code: "FORBIDDEN",
        message: "Your role (viewer) cannot set the budget",
      });
      expect((await v.usage.budget()).amountMinor).toBe(2500);
    } finally {
      await getDb().membership.updateMany({
        where: { orgId: owner.orgId, userId: owner.userId },
        data: { role: "owner" },
      });
    }
  });
});
