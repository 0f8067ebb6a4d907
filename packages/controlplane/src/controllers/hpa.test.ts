import { describe, expect, it } from "vitest";
import { calcReplicas } from "./hpa.ts";

// Cases after upstream's replica_calculator_test.go (requests and usage in cores).
const pods = (usage: (number | undefined)[], request = 1, ignored: boolean[] = []) =>
  usage.map((u, i) => ({ name: `p${i}`, usage: u, request, ignored: ignored[i] ?? false }));
const util = (averageUtilization: number) => ({ type: "Utilization" as const, averageUtilization });

describe("calcReplicas", () => {
  it("scales up by the usage ratio", () => {
    const r = calcReplicas({ currentReplicas: 3, pods: pods([0.3, 0.5, 0.7]), target: util(30), tolerance: 0.1 });
    expect(r.replicas).toBe(5);
    expect(r.utilization).toBe(50);
  });

  it("scales down by the usage ratio", () => {
    const r = calcReplicas({
      currentReplicas: 5,
      pods: pods([0.1, 0.3, 0.5, 0.25, 0.25]),
      target: util(50),
      tolerance: 0.1,
    });
    expect(r.replicas).toBe(3);
    expect(r.utilization).toBe(28);
  });

  it("stays within the tolerance", () => {
    const r = calcReplicas({ currentReplicas: 3, pods: pods([1.05, 1.0, 1.1]), target: util(100), tolerance: 0.1 });
    expect(r.replicas).toBe(3);
  });

  it("counts missing metrics as 100% when scaling down (so it scales down less)", () => {
    const r = calcReplicas({
      currentReplicas: 4,
      pods: pods([0.4, 0.95, 0.3, undefined]),
      target: util(100),
      tolerance: 0.1,
    });
    // Without the missing pod: 55% → 3 pods; with it at 100%: 66% → ceil(0.6625 * 4) = 3.
    expect(r.replicas).toBe(3);
  });

  it("counts missing metrics as 0% when scaling up", () => {
    const r = calcReplicas({
      currentReplicas: 3,
      pods: pods([0.9, 1.0, undefined]),
      target: util(50),
      tolerance: 0.1,
    });
    expect(r.replicas).toBe(4); // (1.9 / 3 cores) / 50% = 1.27 → ceil(3.8)
  });

  it("ignores unready pods' CPU when scaling up, counting them at 0%", () => {
    const r = calcReplicas({
      currentReplicas: 3,
      pods: pods([0.9, 0.9, 2.0], 1, [false, false, true]),
      target: util(50),
      tolerance: 0.1,
    });
    expect(r.replicas).toBe(4); // 1.8 / 3 / 0.5 = 1.2 → ceil(3.6)
  });

  it("AverageValue targets divide the average usage by the target", () => {
    const r = calcReplicas({
      currentReplicas: 2,
      pods: pods([0.3, 0.5]),
      target: { type: "AverageValue", averageValue: 0.2 },
      tolerance: 0.1,
    });
    expect(r.replicas).toBe(4);
  });
});
