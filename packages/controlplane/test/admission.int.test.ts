import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../src/client.ts";
import { computeQuotaUsage } from "../src/index.ts";
import { R, startLoopback } from "./helpers.ts";

let env: Awaited<ReturnType<typeof startLoopback>>;
beforeAll(async () => {
  env = await startLoopback();
});
afterAll(async () => {
  await env?.cleanup();
});

const ns = (name: string): KubeObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
const pod = (name: string, namespace: string, resources?: Record<string, Record<string, string>>): KubeObject =>
  ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace },
    spec: { containers: [{ name: "c", image: "nginx:1.27", ...(resources ? { resources } : {}) }] },
  }) as KubeObject;

describe("admission", () => {
  it("enforces ResourceQuota with upstream messages", async () => {
    const c = env.server.client;
    await c.create(R.namespaces, ns("quota-a"));
    await c.create(R.resourcequotas, {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "q", namespace: "quota-a" },
      spec: { hard: { "requests.cpu": "2", pods: "3" } },
    } as KubeObject);
    await c.create(R.pods, pod("one", "quota-a", { requests: { cpu: "1" } }));
    const err = await c.create(R.pods, pod("two", "quota-a", { requests: { cpu: "2" } })).catch((e) => e);
    expect(err.code).toBe(403);
    expect(err.message).toBe(
      'pods "two" is forbidden: exceeded quota: q, requested: requests.cpu=2, used: requests.cpu=1, limited: requests.cpu=2',
    );
    const missing = await c.create(R.pods, pod("three", "quota-a")).catch((e) => e);
    expect(missing.message).toBe('pods "three" is forbidden: failed quota: q: must specify requests.cpu');
    expect(await computeQuotaUsage(c, "quota-a", { "requests.cpu": "2", pods: "3" })).toEqual({
      "requests.cpu": "1",
      pods: "1",
    });
  });

  it("applies LimitRange defaults and rejects what exceeds max", async () => {
    const c = env.server.client;
    await c.create(R.namespaces, ns("limits-a"));
    await c.create(R.limitranges, {
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: { name: "lr", namespace: "limits-a" },
      spec: {
        limits: [{ type: "Container", default: { cpu: "500m" }, defaultRequest: { cpu: "100m" }, max: { cpu: "1" } }],
      },
    } as KubeObject);
    const p = await c.create(R.pods, pod("d", "limits-a"));
    expect((p.spec as any).containers[0].resources).toEqual({ limits: { cpu: "500m" }, requests: { cpu: "100m" } });
    const err = await c.create(R.pods, pod("big", "limits-a", { limits: { cpu: "2" } })).catch((e) => e);
    expect(err.code).toBe(403);
    expect(err.message).toBe('pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
  });

  it("refuses creates in missing or terminating namespaces and protects system namespaces", async () => {
    const c = env.server.client;
    const missing = await c
      .create(R.configmaps, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "nope" } })
      .catch((e) => e);
    expect(missing.code).toBe(404);
    expect(missing.message).toBe('namespaces "nope" not found');
    const sys = await c.delete(R.namespaces, undefined, "kube-system").catch((e) => e);
    expect(sys.code).toBe(403);
    await c.create(R.namespaces, ns("doomed"));
    await c.create(R.configmaps, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "doomed" } });
    const marked = await c.delete(R.namespaces, undefined, "doomed");
    expect((marked.status as any).phase).toBe("Terminating");
    const late = await c
      .create(R.configmaps, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "y", namespace: "doomed" } })
      .catch((e) => e);
    if (late.code) expect(late.message).toContain("because it is being terminated");
    for (let i = 0; i < 100; i++) {
      const gone = await c.get(R.namespaces, undefined, "doomed").catch((e) => e);
      if (gone.code === 404) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("namespace was not finalized");
  });

  it("allocates distinct cluster IPs and node ports", async () => {
    const c = env.server.client;
    const svc = (name: string) =>
      ({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace: "default" },
        spec: { type: "NodePort", selector: { app: name }, ports: [{ port: 80 }] },
      }) as KubeObject;
    const a = (await c.create(R.services, svc("a"))) as any;
    const b = (await c.create(R.services, svc("b"))) as any;
    expect(a.spec.clusterIP).toMatch(/^10\.(9[6-9]|1[01]\d)\./);
    expect(a.spec.clusterIP).not.toBe(b.spec.clusterIP);
    expect(a.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    expect(a.spec.ports[0].nodePort).not.toBe(b.spec.ports[0].nodePort);
    expect(a.spec.ports[0].targetPort).toBe(80);
    const k = (await c.get(R.services, "default", "kubernetes")) as any;
    expect(k.spec.clusterIP).toBe("10.96.0.1");
  });
});
