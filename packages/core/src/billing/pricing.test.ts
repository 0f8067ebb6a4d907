// Rounding rules of docs/billing.md: exact BigInt products, one half-up rounding per line, included amounts
// priced the same way, credits never below zero.
import { describe, expect, it } from "vitest";
import { DEFAULT_PLANS } from "./pricebook.ts";
import { divRoundHalfUp, lineAmount, priceUsage, unitSize } from "./pricing.ts";

const jan = new Date("2025-01-01T00:00:00Z");
const feb = new Date("2025-02-01T00:00:00Z");

describe("pricing", () => {
  it("rounds half up, once, in exact integers", () => {
    expect(divRoundHalfUp(5n, 2n)).toBe(3n);
    expect(divRoundHalfUp(7n, 2n)).toBe(4n);
    expect(divRoundHalfUp(149n, 100n)).toBe(1n);
    expect(divRoundHalfUp(150n, 100n)).toBe(2n);
    expect(divRoundHalfUp(-150n, 100n)).toBe(-2n);
    expect(divRoundHalfUp(0n, 3n)).toBe(0n);
    // 1 vCPU-second at 1.8 ¢/vCPU-hour is 0.0005 ¢: rounds to 0 on its own line…
    expect(lineAmount(1n, 1_800_000n, 3600n)).toBe(0n);
    // …but a line sums the quantity first: 2112 vCPU-hours = 3801.6 ¢ → 3802 ¢.
    expect(lineAmount(2112n * 3600n, 1_800_000n, 3600n)).toBe(3802n);
    // exactly half a cent rounds up: 1 hour at 0.5 ¢
    expect(lineAmount(3600n, 500_000n, 3600n)).toBe(1n);
    // no float drift on huge quantities
    expect(lineAmount(10n ** 15n * 3600n, 1_800_000n, 3600n)).toBe(18n * 10n ** 14n);
  });

  it("sizes a GiB-month by the invoiced month's seconds", () => {
    expect(unitSize("storage_mib_seconds", jan)).toBe(1024n * 31n * 86400n);
    expect(unitSize("storage_mib_seconds", feb)).toBe(1024n * 28n * 86400n);
    expect(unitSize("node_memory_mib_seconds", jan)).toBe(1024n * 3600n);
  });

  it("applies included amounts per meter across clusters, then credits, never below zero", () => {
    const hour = 3600n;
    const t = priceUsage(
      DEFAULT_PLANS.pro,
      [
        { clusterId: "a", meter: "controlplane_seconds", quantity: 500n * hour },
        { clusterId: "b", meter: "controlplane_seconds", quantity: 500n * hour },
        { clusterId: "a", meter: "node_vcpu_seconds", quantity: 100n * hour },
        { clusterId: "a", meter: "cpu_usage_millicore_seconds", quantity: 999n }, // not billed
      ],
      jan,
      100_000n,
    );
    expect(t.lines.filter((l) => l.kind === "usage").map((l) => [l.clusterId, l.meter, l.amountMinor])).toEqual([
      ["a", "controlplane_seconds", 5000n],
      ["a", "node_vcpu_seconds", 180n],
      ["b", "controlplane_seconds", 5000n],
    ]);
    // 744 of the 1000 control-plane hours are included
    expect(t.includedMinor).toBe(7440n);
    expect(t.subtotalMinor).toBe(10180n);
    expect(t.creditMinor).toBe(2740n);
    expect(t.totalMinor).toBe(0n);
  });
});
