// Cluster procedures without a worker: validation, roles, verification, plan limits under
// concurrent creates, catalogs and the price estimate.
import { currentPriceBook } from "@nuage/core";
import { getDb } from "@nuage/db";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, errorOf, rest, signUpUser, uid, userCaller } from "./test/helpers.ts";

afterAll(cleanup);

const pool = (count: number, flavor = "s-2vcpu-4gb") => [{ name: "pool", flavor, count }];

describe("clusters (API)", () => {
  it("refuses unverified users, viewers and bad input with a message naming the field", async () => {
    const unverified = await signUpUser("unverified");
    const c = await userCaller(unverified.userId);
    const e1 = await errorOf(() => c.clusters.create({ name: `c-${uid()}`, nodePools: pool(1) }));
    expect(e1.code).toBe("FORBIDDEN");
    expect(e1.message).toMatch(/Verify your e-mail/);

    const owner = await signUpUser("owner", { verified: true });
    const oc = await userCaller(owner.userId);
    const bad = await errorOf(() => oc.clusters.create({ name: "Bad_Name", nodePools: pool(1) }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(bad.message).toMatch(/name.*lower-case/);
    const flavor = await errorOf(() => oc.clusters.create({ name: `c-${uid()}`, nodePools: pool(1, "huge") }));
    expect(flavor.message).toMatch(/flavor must be one of/);

    await getDb().membership.updateMany({
      where: { orgId: owner.orgId, userId: owner.userId },
      data: { role: "viewer" },
    });
    const viewer = await errorOf(() => oc.clusters.create({ name: `c-${uid()}`, nodePools: pool(1) }));
    expect(viewer).toEqual({ code: "FORBIDDEN", message: "Your role (viewer) cannot create clusters" });
  });

  it("N concurrent creates over the cluster limit: exactly the allowed number succeed", async () => {
    const u = await signUpUser("race", { verified: true });
    await getDb().org.update({ where: { id: u.orgId }, data: { maxClusters: 3, maxVcpu: 100 } });
    const c = await userCaller(u.userId);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => c.clusters.create({ name: `race-${i}`, nodePools: pool(1) })),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(3);
    expect(refused).toHaveLength(5);
    for (const r of refused) expect(String(r.reason.message)).toMatch(/clusters per organization \(3\)/);
    expect(await getDb().cluster.count({ where: { orgId: u.orgId } })).toBe(3);
  });

  it("checks nodes per cluster and total vCPU before any job runs", async () => {
    const u = await signUpUser("limits", { verified: true });
    const c = await userCaller(u.userId);
    const nodes = await errorOf(() => c.clusters.create({ name: "big", nodePools: pool(11, "s-1vcpu-2gb") }));
    expect(nodes.message).toMatch(/nodes per cluster \(10\)/);
    const vcpu = await errorOf(() => c.clusters.create({ name: "cpu", nodePools: pool(4, "c-8vcpu-16gb") }));
    expect(vcpu.message).toMatch(/total vCPU \(24\).*32 vCPU/);
    expect(await getDb().operation.count({ where: { orgId: u.orgId } })).toBe(0);
  });

  it("advertises catalogs and estimates the price with the org's plan in the current price book", async () => {
    const u = await signUpUser("catalog", { verified: true });
    const c = await userCaller(u.userId);
    const versions = await c.catalog.versions();
    expect(versions.filter((v) => v.isDefault)).toHaveLength(1);
    const flavors = await c.catalog.flavors();
    const f = flavors.find((x) => x.name === "s-2vcpu-4gb")!;
    // A new org is on Free (price book prices unchanged since version 1): 2 vCPU × 2 cents + 4 GiB × 0.25 cents.
    const book = await currentPriceBook();
    expect([f.priceMicroHourly, f.priceCentsHourly, f.plan, f.priceVersion, f.currency]).toEqual([
      5_000_000,
      5,
      "free",
      book.version,
      "EUR",
    ]);
    const est = await c.clusters.estimate({ haControlPlane: true, nodePools: pool(3) });
    // Three nodes, the control plane (10 cents) and the HA surcharge (15 cents): 40 cents an hour.
    expect(est).toMatchObject({ plan: "free", planLabel: "Free", priceVersion: book.version, currency: "EUR" });
    expect([est.hourlyMicro, est.hourlyCents]).toEqual([3 * f.priceMicroHourly + 25_000_000, 40]);
    // A 730-hour month after Free's included 100 vCPU-hours, 200 GiB-hours and 744 control-plane hours:
    // vCPU 4280 h × 2 = 8560, memory 8560 GiB-h × 0.25 = 2140, control plane 0, HA 730 h × 15 = 10950.
    expect(est.monthlyCents).toBe(8560 + 2140 + 10950);
    expect(est.lines.find((l) => l.item === "vcpu_hour")).toMatchObject({ includedQuantity: 100, monthlyCents: 8560 });
    const token = (await c.tokens.create({ name: "t", scope: "write" })).token;
    const restFlavors = await (await rest("/flavors", { token })).json();
    expect(restFlavors.find((x: { name: string }) => x.name === "s-2vcpu-4gb").priceMicroHourly).toBe(5_000_000);
    const regions = await (await rest("/regions", { token })).json();
    expect(regions[0].zones).toContain("local-1a");
    const created = await rest("/clusters", { token, method: "POST", body: { name: "via-rest", nodePools: pool(1) } });
    expect(created.status).toBe(200);
    const body = await created.json();
    expect(body.status).toBe("provisioning");
    expect(body.currentOperation.steps[0].name).toBe("certificate-authority");
    const ops = await (await rest(`/clusters/${body.id}/operations`, { token })).json();
    expect(ops[0].type).toBe("create");
  });
});
