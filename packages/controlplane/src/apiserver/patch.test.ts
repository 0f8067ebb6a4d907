import { describe, expect, it } from "vitest";
import { applyPatch } from "./patch.ts";
import { findResource } from "./registry.ts";

const deploy = findResource("apps", "v1", "deployments")!;
const base = () => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", labels: { a: "1", b: "2" }, finalizers: ["x"] },
  spec: {
    replicas: 1,
    template: {
      spec: {
        containers: [
          { name: "app", image: "nginx:1.27", env: [{ name: "A", value: "1" }] },
          { name: "side", image: "busybox" },
        ],
      },
    },
  },
});

describe("patches", () => {
  it("strategic merge merges containers by name and honours $patch: delete", () => {
    const out = applyPatch(deploy, base(), "strategic", {
      spec: {
        template: {
          spec: {
            containers: [
              { name: "app", image: "nginx:1.28", env: [{ name: "B", value: "2" }] },
              { name: "side", $patch: "delete" },
            ],
          },
        },
      },
      metadata: { labels: { b: null }, finalizers: ["y"] },
    }) as any;
    expect(out.spec.template.spec.containers).toEqual([
      {
        name: "app",
        image: "nginx:1.28",
        env: [
          { name: "A", value: "1" },
          { name: "B", value: "2" },
        ],
      },
    ]);
    expect(out.metadata.labels).toEqual({ a: "1" });
    expect(out.metadata.finalizers).toEqual(["x", "y"]);
  });

  it("merge patch replaces lists and deletes nulls", () => {
    const out = applyPatch(deploy, base(), "merge", {
      spec: { template: { spec: { containers: [{ name: "only" }] } } },
      metadata: { labels: { a: null } },
    }) as any;
    expect(out.spec.template.spec.containers).toEqual([{ name: "only" }]);
    expect(out.metadata.labels).toEqual({ b: "2" });
  });

  it("json patch applies operations and reports a failed test", () => {
    const out = applyPatch(deploy, base(), "json", [
      { op: "replace", path: "/spec/replicas", value: 3 },
      { op: "add", path: "/metadata/labels/c~1d", value: "x" },
      { op: "remove", path: "/spec/template/spec/containers/1" },
    ]) as any;
    expect(out.spec.replicas).toBe(3);
    expect(out.metadata.labels["c/d"]).toBe("x");
    expect(out.spec.template.spec.containers).toHaveLength(1);
    expect(() => applyPatch(deploy, base(), "json", [{ op: "test", path: "/spec/replicas", value: 9 }])).toThrow(
      /testing value/,
    );
  });
});
