import { describe, expect, it } from "vitest";
import { buildSubsets, podEndpoints, type Service } from "./endpoints.ts";
import { tolerationSecondsFor } from "./nodelifecycle.ts";
import type { Pod } from "./podutil.ts";
import { deletionRank } from "./replicaset.ts";
import { WorkQueue } from "./workqueue.ts";

const pod = (name: string, extra: Partial<Pod> = {}): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default", creationTimestamp: "2026-01-01T00:00:00Z", labels: { app: "a" } },
  spec: { containers: [{ name: "c", ports: [{ name: "http", containerPort: 8080 }] }] },
  ...extra,
});
const ready = (since = "2026-01-01T00:00:00Z") => [{ type: "Ready", status: "True", lastTransitionTime: since }];

describe("work queue", () => {
  it("deduplicates keys, never runs one key twice at once, retries failures", async () => {
    const seen: string[] = [];
    let running = 0;
    let maxRunning = 0;
    let failOnce = true;
    const q = new WorkQueue(
      async (k) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        seen.push(k);
        await new Promise((r) => setTimeout(r, 20));
        running--;
        if (k === "b" && failOnce) {
          failOnce = false;
          throw new Error("boom");
        }
      },
      { name: "t", workers: 3, baseDelayMs: 5 },
    );
    q.add("a");
    q.add("a");
    q.add("b");
    q.start();
    await new Promise((r) => setTimeout(r, 5));
    q.add("a"); // while "a" runs: queued once more, after it finishes
    q.add("a");
    await new Promise((r) => setTimeout(r, 150));
    await q.stop();
    expect(seen.filter((k) => k === "a")).toHaveLength(2);
    expect(seen.filter((k) => k === "b")).toHaveLength(2); // failed once, retried
    expect(maxRunning).toBeLessThanOrEqual(2);
  });
});

describe("replica set deletion order", () => {
  it("deletes unscheduled, then pending, then not ready, then newest-ready pods first", () => {
    const unscheduled = pod("unscheduled", { status: { phase: "Pending" } });
    const pending = pod("pending", { spec: { nodeName: "n" }, status: { phase: "Pending" } });
    const notReady = pod("notready", { spec: { nodeName: "n" }, status: { phase: "Running" } });
    const oldReady = pod("oldready", {
      spec: { nodeName: "n" },
      status: { phase: "Running", conditions: ready("2026-01-01T00:00:00Z") },
    });
    const newReady = pod("newready", {
      spec: { nodeName: "n" },
      status: { phase: "Running", conditions: ready("2026-01-02T00:00:00Z") },
    });
    const order = [oldReady, newReady, notReady, pending, unscheduled].sort(deletionRank).map((p) => p.metadata.name);
    expect(order).toEqual(["unscheduled", "pending", "notready", "newready", "oldready"]);
  });
});

describe("NoExecute toleration seconds", () => {
  const unreachable = { key: "node.kubernetes.io/unreachable", effect: "NoExecute" };
  it("uses the controller default for the default toleration or none, honours explicit values", () => {
    expect(tolerationSecondsFor(pod("p"), unreachable, 7)).toBe(7);
    const dflt = pod("p", {
      spec: {
        tolerations: [{ key: unreachable.key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }],
      },
    });
    expect(tolerationSecondsFor(dflt, unreachable, 7)).toBe(7);
    const explicit = pod("p", {
      spec: { tolerations: [{ operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 }] },
    });
    expect(tolerationSecondsFor(explicit, unreachable, 7)).toBe(60);
    const forever = pod("p", { spec: { tolerations: [{ operator: "Exists" }] } });
    expect(tolerationSecondsFor(forever, unreachable, 7)).toBe(Number.POSITIVE_INFINITY);
    expect(tolerationSecondsFor(pod("p"), { key: "custom", effect: "NoExecute" }, 7)).toBe(0);
  });
});

describe("endpoints", () => {
  it("resolves named target ports and splits ready from not-ready addresses", () => {
    const svc: Service = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "s", namespace: "default" },
      spec: { selector: { app: "a" }, ports: [{ name: "web", port: 80, targetPort: "http" }] },
    };
    const a = pod("a", { spec: pod("a").spec, status: { phase: "Running", podIP: "10.0.0.2", conditions: ready() } });
    const b = pod("b", { spec: pod("b").spec, status: { phase: "Running", podIP: "10.0.0.1" } });
    const gone = pod("c", { status: { phase: "Running", podIP: "10.0.0.3" } });
    gone.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
    const subsets = buildSubsets(podEndpoints(svc, [a, b, gone]));
    expect(subsets).toHaveLength(1);
    expect(subsets[0]!.ports).toEqual([{ name: "web", port: 8080, protocol: "TCP" }]);
    expect((subsets[0] as any).addresses.map((x: any) => x.ip)).toEqual(["10.0.0.2"]);
    expect((subsets[0] as any).notReadyAddresses.map((x: any) => x.ip)).toEqual(["10.0.0.1"]);
  });
});
