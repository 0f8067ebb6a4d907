import { describe, expect, it } from "vitest";
import { humanDuration } from "./format.ts";
import { podReadyAndStatus } from "./pod.ts";

describe("kubectl pod status column", () => {
  const pod = (status: object, extra: object = {}) => ({
    metadata: { name: "p", ...extra },
    spec: { containers: [{ name: "c" }] },
    status,
  });
  it("shows waiting and terminated reasons like kubectl", () => {
    expect(
      podReadyAndStatus(
        pod({ phase: "Pending", containerStatuses: [{ state: { waiting: { reason: "ContainerCreating" } } }] }),
      ).status,
    ).toBe("ContainerCreating");
    expect(
      podReadyAndStatus(
        pod({
          phase: "Running",
          containerStatuses: [{ restartCount: 4, state: { waiting: { reason: "CrashLoopBackOff" } } }],
        }),
      ),
    ).toEqual({ ready: "0/1", status: "CrashLoopBackOff", restarts: "4" });
    expect(
      podReadyAndStatus(
        pod({
          phase: "Succeeded",
          containerStatuses: [{ state: { terminated: { reason: "Completed", exitCode: 0 } } }],
        }),
      ).status,
    ).toBe("Completed");
    expect(
      podReadyAndStatus(
        pod({
          phase: "Running",
          containerStatuses: [{ state: { terminated: { reason: "OOMKilled", exitCode: 137 } } }],
        }),
      ).status,
    ).toBe("OOMKilled");
    expect(
      podReadyAndStatus(
        pod(
          { phase: "Running", containerStatuses: [{ ready: true, state: { running: {} } }] },
          { deletionTimestamp: "2026-01-01T00:00:00Z" },
        ),
      ),
    ).toEqual({ ready: "1/1", status: "Terminating", restarts: "0" });
  });
  it("formats ages like kubectl", () => {
    expect(humanDuration(45_000)).toBe("45s");
    expect(humanDuration(5 * 60_000 + 30_000)).toBe("5m30s");
    expect(humanDuration(3 * 3600_000 + 5 * 60_000)).toBe("3h5m");
    expect(humanDuration(3 * 86400_000)).toBe("3d");
  });
});
