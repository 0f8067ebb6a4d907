import { describe, expect, it } from "vitest";
import {
  type Deployment,
  maxUnavailable,
  newRSNewReplicas,
  planOldScaleDown,
  podTemplateHash,
  type ReplicaSet,
  resolveFenceposts,
  scaledValue,
  templatesEqual,
} from "./deployment-util.ts";

function dep(replicas: number, maxSurge?: number | string, maxUnavailable?: number | string): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default" },
    spec: { replicas, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge, maxUnavailable } } },
  };
}
function rs(name: string, replicas: number, available: number, created: string): ReplicaSet {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name, creationTimestamp: created },
    spec: { replicas },
    status: { replicas, availableReplicas: available },
  };
}

describe("int-or-percent fenceposts", () => {
  it("rounds surge up and unavailable down like upstream", () => {
    expect(resolveFenceposts(dep(10))).toEqual({ surge: 3, unavailable: 2 });
    expect(resolveFenceposts(dep(3))).toEqual({ surge: 1, unavailable: 0 });
    expect(resolveFenceposts(dep(3, "50%", "50%"))).toEqual({ surge: 2, unavailable: 1 });
  });
  it("turns 0/0 into unavailable 1 and caps unavailable at replicas", () => {
    expect(resolveFenceposts(dep(4, 0, 0))).toEqual({ surge: 0, unavailable: 1 });
    expect(maxUnavailable(dep(2, 1, 5))).toBe(2);
  });
  it("rejects a malformed value naming it", () => {
    expect(() => scaledValue("abc", 10, true, "25%")).toThrow(/"abc"/);
  });
});

describe("rolling update steps", () => {
  it("scales the new RS up to replicas + maxSurge total", () => {
    const d = dep(3, 1, 0);
    const old = rs("web-old", 3, 3, "2026-01-01T00:00:00Z");
    const neu = rs("web-new", 0, 0, "2026-01-02T00:00:00Z");
    expect(newRSNewReplicas(d, [old, neu], neu)).toBe(1);
    // surge used up: no more until old scales down
    const neu1 = rs("web-new", 1, 0, "2026-01-02T00:00:00Z");
    expect(newRSNewReplicas(d, [old, neu1], neu1)).toBe(1);
  });
  it("scales old RSes down only while minAvailable holds", () => {
    const d = dep(3, 1, 0);
    const old = rs("web-old", 3, 3, "2026-01-01T00:00:00Z");
    expect(planOldScaleDown(d, [old], rs("web-new", 1, 0, "2026-01-02T00:00:00Z")).size).toBe(0);
    const plan = planOldScaleDown(d, [old], rs("web-new", 1, 1, "2026-01-02T00:00:00Z"));
    expect(plan.get("web-old")).toBe(2);
  });
  it("removes unhealthy old replicas first", () => {
    const d = dep(4, 1, 1);
    const old = rs("web-old", 4, 2, "2026-01-01T00:00:00Z");
    const plan = planOldScaleDown(d, [old], rs("web-new", 1, 0, "2026-01-02T00:00:00Z"));
    // all=5, minAvailable=3, newUnavailable=1 -> maxScaledDown 1 (unhealthy), then available 2 <= 3
    expect(plan.get("web-old")).toBe(3);
  });
});

describe("pod-template-hash", () => {
  const t = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx:1" }] } };
  it("is stable, vowel-free and changes with the template or collisions", () => {
    const h = podTemplateHash(t);
    expect(h).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(podTemplateHash(structuredClone(t))).toBe(h);
    expect(podTemplateHash({ ...t, spec: { containers: [{ name: "c", image: "nginx:2" }] } })).not.toBe(h);
    expect(podTemplateHash(t, 1)).not.toBe(h);
  });
  it("ignores the hash label when comparing templates", () => {
    const withHash = structuredClone(t);
    withHash.metadata.labels = { app: "web", "pod-template-hash": "abc" } as any;
    expect(templatesEqual(t, withHash)).toBe(true);
    // kubectl sends `creationTimestamp: null` in templates (rollout undo): the same as unset
    expect(templatesEqual(t, { ...t, metadata: { ...t.metadata, creationTimestamp: null } })).toBe(true);
  });
});
