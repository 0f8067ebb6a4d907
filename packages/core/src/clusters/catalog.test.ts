import { describe, expect, it } from "vitest";
import { DEFAULT_PLANS, type PlanKey } from "../billing/pricebook.ts";
import { priceUsage } from "../billing/pricing.ts";
import { estimate, type Pricing, pricedFlavors, VERSIONS } from "./catalog.ts";
import { ZCreateClusterInput } from "./schemas.ts";

function pricing(plan: PlanKey): Pricing {
  const p = DEFAULT_PLANS[plan];
  return { priceVersion: 1, currency: "EUR", plan, planLabel: p.label, prices: p.prices, included: p.included };
}

describe("cluster catalog", () => {
  it("has exactly one default version", () => {
    expect(VERSIONS.filter((v) => v.isDefault)).toHaveLength(1);
  });

  it("prices flavors from the price book: vCPUs × vCPU-hour + GiB × memory GiB-hour", () => {
    const flavors = pricedFlavors(pricing("pro"));
    // Pro (version 1): 1.8 cents per vCPU-hour, 0.225 cents per GiB-hour.
    expect(flavors.map((f) => [f.name, f.priceMicroHourly, f.priceCentsHourly])).toEqual([
      ["s-1vcpu-2gb", 2_250_000, 2],
      ["s-2vcpu-4gb", 4_500_000, 5],
      ["s-4vcpu-8gb", 9_000_000, 9],
      ["c-8vcpu-16gb", 18_000_000, 18],
    ]);
    expect(flavors.every((f) => f.priceVersion === 1 && f.plan === "pro" && f.currency === "EUR")).toBe(true);
  });

  it("estimates with the plan's prices and included amounts, as the invoice would charge a month", () => {
    const e = estimate({ haControlPlane: false, nodePools: [{ flavor: "s-2vcpu-4gb", count: 3 }] }, pricing("pro"));
    // 6 vCPU × 1.8 + 12 GiB × 0.225 + control plane 10 = 23.5 cents an hour.
    expect(e).toMatchObject({ hourlyMicro: 23_500_000, hourlyCents: 24, vcpus: 6, nodes: 3, plan: "pro" });
    // 730 h: vCPU 7884 + memory 1971 + control plane 7300 (all 730 h included in Pro's 744) = 17155, 9855 to pay.
    expect([e.monthlyBeforeIncludedCents, e.includedCents, e.monthlyCents]).toEqual([17155, 7300, 9855]);
    expect(e.lines.map((l) => [l.item, l.quantity, l.includedQuantity, l.monthlyCents])).toEqual([
      ["vcpu_hour", 6, 0, 7884],
      ["memory_gib_hour", 12, 0, 1971],
      ["controlplane_hour", 1, 730, 0],
    ]);
    expect(e.onUse.map((u) => [u.item, u.includedQuantity])).toEqual([
      ["storage_gib_month", 50],
      ["lb_hour", 744],
    ]);

    // Free, HA: 100 vCPU-hours and 200 GiB-hours included, the HA surcharge is not.
    const free = estimate({ haControlPlane: true, nodePools: [{ flavor: "s-1vcpu-2gb", count: 1 }] }, pricing("free"));
    expect([free.hourlyMicro, free.monthlyBeforeIncludedCents, free.includedCents, free.monthlyCents]).toEqual([
      27_500_000, 20075, 7550, 12525,
    ]);
    // The same month through billing's pricing (the ledger's base units) gives the same amount.
    const h = BigInt(730 * 3600);
    const usage = [
      { clusterId: "c", meter: "node_vcpu_seconds", quantity: 1n * h },
      { clusterId: "c", meter: "node_memory_mib_seconds", quantity: 2048n * h },
      { clusterId: "c", meter: "controlplane_seconds", quantity: h },
      { clusterId: "c", meter: "controlplane_ha_seconds", quantity: h },
    ];
    expect(Number(priceUsage(DEFAULT_PLANS.free, usage, new Date("2026-01-01T00:00:00Z")).totalMinor)).toBe(
      free.monthlyCents,
    );
  });

  it("validates names, pools and defaults", () => {
    const ok = ZCreateClusterInput.parse({ name: "web", nodePools: [{ name: "p", flavor: "s-1vcpu-2gb", count: 1 }] });
    expect(ok).toMatchObject({ region: "local-1", version: "1.32", haControlPlane: false });
    const dup = ZCreateClusterInput.safeParse({
      name: "web",
      nodePools: [
        { name: "p", flavor: "s-1vcpu-2gb", count: 1 },
        { name: "p", flavor: "s-1vcpu-2gb", count: 1 },
      ],
    });
    expect(dup.error?.issues[0]?.message).toBe("Node pool names must be unique");
    const bad = ZCreateClusterInput.safeParse({ name: "-x", nodePools: [] });
    expect(bad.success).toBe(false);
  });
});
