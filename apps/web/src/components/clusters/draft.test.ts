import { describe, expect, it } from "vitest";
import { newPool, poolErrors, poolInput, poolsHourlyCents, poolTotals, splitFieldErrors } from "./draft";

const flavors = [
  { name: "s-2", vcpus: 2, memoryMiB: 4096, priceCentsHourly: 3 },
  { name: "m-4", vcpus: 4, memoryMiB: 8192, priceCentsHourly: 7 },
];

describe("node pool drafts", () => {
  it("accepts a sensible pool and turns it into API input", () => {
    const p = { ...newPool("web", "s-2", 2), labels: [{ key: "tier", value: "web" }], taints: [] };
    expect(poolErrors(p, [p])).toEqual({});
    expect(poolInput(p)).toEqual({
      name: "web",
      flavor: "s-2",
      count: 2,
      minCount: 1,
      maxCount: 3,
      labels: { tier: "web" },
      taints: [],
    });
  });

  it("names what is wrong with a pool", () => {
    const a = newPool("web", "s-2");
    const b = { ...newPool("web", "s-2"), count: "5", maxCount: "3", minCount: "x" };
    const e = poolErrors(b, [a, b]);
    expect(e.name).toMatch(/Another pool/);
    expect(e.maxCount).toMatch(/below the node count/);
    expect(e.minCount).toMatch(/whole number/);
    const t = { ...newPool("gpu", "m-4"), taints: [{ key: "", value: "x", effect: "NoSchedule" }] };
    expect(poolErrors(t, [t]).taints).toMatch(/needs a key/);
  });

  it("prices and totals pools in integer cents", () => {
    const pools = [newPool("a", "s-2", 2), newPool("b", "m-4", 3)];
    expect(poolsHourlyCents(pools, flavors)).toBe(2 * 3 + 3 * 7);
    expect(poolTotals(pools, flavors)).toEqual({ nodes: 5, vcpu: 16, memoryMib: 2 * 4096 + 3 * 8192 });
  });

  it("routes server errors to the pool and field they name", () => {
    const r = splitFieldErrors({ name: "taken", "nodePools.1.count": "too many", "nodePools[0].flavor": "unknown" });
    expect(r.top).toEqual({ name: "taken" });
    expect(r.pools[1]?.count).toBe("too many");
    expect(r.pools[0]?.flavor).toBe("unknown");
  });
});
