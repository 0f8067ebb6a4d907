import { afterEach, describe, expect, it, vi } from "vitest";
import type { StateDoc } from "./state.ts";
import { listUsageRecords, syncUsageRecords } from "./usage.ts";

const doc = (): StateDoc =>
  ({ hosts: [], vms: {}, volumes: {}, loadBalancers: {}, controlPlanes: {}, nextAddress: 1 }) as unknown as StateDoc;

afterEach(() => vi.useRealTimers());

describe("usage records", () => {
  it("opens a record when a resource appears and closes it when it goes, in whole seconds", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-05-01T10:00:00.700Z"));
    const d = doc();
    d.controlPlanes.cp1 = { id: "cp1" } as StateDoc["controlPlanes"][string];
    d.vms.vm1 = { id: "vm1", flavor: "s-2vcpu-4gb", controlPlaneId: "cp1" } as StateDoc["vms"][string];
    expect(syncUsageRecords(d)).toBe(true);
    expect(syncUsageRecords(d)).toBe(false);
    vi.setSystemTime(new Date("2026-05-01T10:05:30.200Z"));
    delete d.vms.vm1;
    d.loadBalancers.lb1 = { id: "lb1", controlPlaneId: "cp1" } as StateDoc["loadBalancers"][string];
    const all = listUsageRecords(d, { controlPlaneId: "cp1" });
    expect(all).toEqual([
      {
        kind: "machine",
        id: "vm1",
        controlPlaneId: "cp1",
        flavor: "s-2vcpu-4gb",
        createdAt: "2026-05-01T10:00:00.000Z",
        deletedAt: "2026-05-01T10:05:30.000Z",
      },
      { kind: "controlplane", id: "cp1", controlPlaneId: "cp1", createdAt: "2026-05-01T10:00:00.000Z" },
      { kind: "loadbalancer", id: "lb1", controlPlaneId: "cp1", createdAt: "2026-05-01T10:05:30.000Z" },
    ]);
    // Records closed before `since` are left out; open ones always stay.
    expect(listUsageRecords(d, { since: new Date("2026-05-01T10:06:00Z") }).map((r) => r.id)).toEqual(["cp1", "lb1"]);
    expect(listUsageRecords(d, { controlPlaneId: "other" })).toEqual([]);
  });

  it("honours the test clock offset only under NUAGE_TEST=1", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-05-01T00:00:00Z"));
    vi.stubEnv("NUAGE_TEST", "1");
    vi.stubEnv("NUAGE_TEST_CLOCK_OFFSET_MS", String(86_400_000));
    try {
      const d = doc();
      d.vms.a = { id: "a", flavor: "s-1vcpu-2gb" } as StateDoc["vms"][string];
      syncUsageRecords(d);
      expect(d.usageRecords?.[0]?.createdAt).toBe("2026-05-02T00:00:00.000Z");
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
