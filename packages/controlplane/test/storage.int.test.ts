import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError, type KubeObject, type WatchEvent } from "../src/client.ts";
import { R, startLoopback, waitFor } from "./helpers.ts";

let env: Awaited<ReturnType<typeof startLoopback>>;
beforeAll(async () => {
  env = await startLoopback();
});
afterAll(async () => {
  await env?.cleanup();
});

const cm = (name: string, data: Record<string, string> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "default" },
  data,
});

describe("storage semantics through the loopback client", () => {
  it("retries a patch without a resourceVersion over concurrent writers, and honours one that has it", async () => {
    const c = env.server.client;
    const base = await c.create(R.configmaps, cm("patched", { start: "1" }));
    // Twelve writers at once: each patch must land, none may see 409 (kubectl set image after scale).
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        c.patch(R.configmaps, "default", "patched", "merge", { data: { [`k${i}`]: String(i) } }),
      ),
    );
    const got = await c.get<KubeObject & { data: Record<string, string> }>(R.configmaps, "default", "patched");
    expect(Object.keys(got.data).sort()).toEqual(["start", ...Array.from({ length: 12 }, (_, i) => `k${i}`)].sort());
    // A patch that names a resourceVersion is a precondition: stale → 409.
    const stale = await c
      .patch(R.configmaps, "default", "patched", "merge", {
        metadata: { resourceVersion: base.metadata.resourceVersion },
        data: { late: "1" },
      })
      .catch((e) => e);
    expect(stale.code).toBe(409);
  });

  it("assigns resourceVersion from etcd and rejects stale updates with 409", async () => {
    const c = env.server.client;
    const a = await c.create(R.configmaps, cm("a", { x: "1" }));
    expect(Number(a.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(a.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    const b = await c.update(R.configmaps, { ...a, data: { x: "2" } });
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    const err = await c.update(R.configmaps, { ...a, data: { x: "3" } }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe(409);
    expect(err.message).toContain(
      "the object has been modified; please apply your changes to the latest version and try again",
    );
    const dup = await c.create(R.configmaps, cm("a")).catch((e) => e);
    expect(dup.reason).toBe("AlreadyExists");
    expect(dup.message).toBe('configmaps "a" already exists');
    const nf = await c.get(R.configmaps, "default", "nope").catch((e) => e);
    expect(nf.code).toBe(404);
    expect(nf.message).toBe('configmaps "nope" not found');
  });

  it("paginates with limit/continue", async () => {
    const c = env.server.client;
    for (let i = 0; i < 5; i++) await c.create(R.configmaps, cm(`page-${i}`));
    const names: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const page = await c.list(R.configmaps, { namespace: "default", limit: 2, continue: cont, labelSelector: "" });
      names.push(...page.items.map((i) => i.metadata.name!));
      cont = page.continue;
      pages++;
    } while (cont);
    expect(names.filter((n) => n.startsWith("page-"))).toEqual(["page-0", "page-1", "page-2", "page-3", "page-4"]);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it("watches from a resourceVersion and answers 410 for a compacted one", async () => {
    const c = env.server.client;
    const first = await c.create(R.configmaps, cm("w1"));
    await c.create(R.configmaps, cm("w2"));
    const events: WatchEvent[] = [];
    const h = c.watch(R.configmaps, { namespace: "default", resourceVersion: first.metadata.resourceVersion }, (e) =>
      events.push(e),
    );
    await c.delete(R.configmaps, "default", "w1");
    await waitFor(() => (events.length >= 2 ? true : undefined));
    h.stop();
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["ADDED w2", "DELETED w1"]);

    const old = await c.create(R.configmaps, cm("w3"));
    await c.update(R.configmaps, { ...old, data: { y: "1" } });
    // etcd is shared with other suites: compact only history older than this test's own writes.
    await env.server.store.storage.etcd.kv.compact({ revision: first.metadata.resourceVersion! });
    const errs: ApiError[] = [];
    const h2 = c.watch(
      R.configmaps,
      { resourceVersion: "1" },
      () => {},
      (e) => errs.push(e),
    );
    await waitFor(() => (errs.length ? true : undefined));
    h2.stop();
    expect(errs[0]!.code).toBe(410);
  });

  it("encrypts secrets at rest", async () => {
    const c = env.server.client;
    await c.create(R.secrets, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s1", namespace: "default" },
      stringData: { password: "hunter2-very-secret" },
    } as KubeObject);
    const raw = await env.server.store.storage.etcd.get(`${env.prefix}/registry/secrets/default/s1`).buffer();
    expect(raw!.subarray(0, 23).toString()).toBe("k8s:enc:aesgcm:v1:key1:");
    expect(raw!.toString("latin1")).not.toContain("hunter2");
    expect(raw!.toString("latin1")).not.toContain(Buffer.from("hunter2-very-secret").toString("base64"));
    const s = await c.get<KubeObject & { data: Record<string, string> }>(R.secrets, "default", "s1");
    expect(Buffer.from(s.data.password!, "base64").toString()).toBe("hunter2-very-secret");
  });

  it("binds pods, keeps status on spec updates and deletes bound pods gracefully", async () => {
    const c = env.server.client;
    const pod = await c.create(R.pods, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { generateName: "web-", namespace: "default" },
      spec: { containers: [{ name: "c", image: "nginx:1.27" }] },
    } as KubeObject);
    expect(pod.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
    const spec = pod.spec as any;
    expect(spec.restartPolicy).toBe("Always");
    expect(spec.serviceAccountName).toBe("default");
    expect(spec.containers[0].imagePullPolicy).toBe("IfNotPresent");
    expect((pod.status as any).phase).toBe("Pending");
    await c.createSubresource(R.pods, "default", pod.metadata.name!, "binding", {
      apiVersion: "v1",
      kind: "Binding",
      metadata: { name: pod.metadata.name! },
      target: { kind: "Node", name: "node-1" },
    } as KubeObject);
    const bound = await c.get(R.pods, "default", pod.metadata.name!);
    expect((bound.spec as any).nodeName).toBe("node-1");
    await c.patch(
      R.pods,
      "default",
      pod.metadata.name!,
      "merge",
      { status: { phase: "Running" } },
      { subresource: "status" },
    );
    const deleted = await c.delete(R.pods, "default", pod.metadata.name!);
    expect(deleted.metadata.deletionTimestamp).toBeTruthy();
    expect(deleted.metadata.deletionGracePeriodSeconds).toBe(30);
    await c.delete(R.pods, "default", pod.metadata.name!, { gracePeriodSeconds: 0 });
    const gone = await c.get(R.pods, "default", pod.metadata.name!).catch((e) => e);
    expect(gone.code).toBe(404);
  });

  it("keeps objects with finalizers until the last finalizer is removed", async () => {
    const c = env.server.client;
    await c.create(R.configmaps, {
      ...cm("fin"),
      metadata: { name: "fin", namespace: "default", finalizers: ["example.com/x"] },
    });
    const marked = await c.delete(R.configmaps, "default", "fin");
    expect(marked.metadata.deletionTimestamp).toBeTruthy();
    await c.patch(R.configmaps, "default", "fin", "merge", { metadata: { finalizers: null } });
    const gone = await c.get(R.configmaps, "default", "fin").catch((e) => e);
    expect(gone.code).toBe(404);
  });
});

describe("events", () => {
  it("are stored under an expiring etcd lease", async () => {
    const c = env.server.client;
    await c.create({ group: "", version: "v1", resource: "events" }, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "e1", namespace: "default" },
      involvedObject: { kind: "Pod", name: "x", namespace: "default" },
      reason: "Test",
      message: "hello",
      type: "Normal",
    } as KubeObject);
    const res = await env.server.store.storage.etcd.kv.range({
      key: Buffer.from(`${env.prefix}/registry/events/default/e1`),
    });
    const lease = res.kvs[0]!.lease;
    expect(Number(lease)).toBeGreaterThan(0);
    const ttl = await env.server.store.storage.etcd.leaseClient.leaseTimeToLive({ ID: lease });
    expect(Number(ttl.TTL)).toBeGreaterThan(3000);
    expect(Number(ttl.TTL)).toBeLessThanOrEqual(3900);
  });
});

describe("watch with selectors", () => {
  it("reports objects entering the selection as ADDED and leaving it as DELETED", async () => {
    const c = env.server.client;
    const base: KubeObject = await c.create(R.configmaps, {
      ...cm("sel"),
      metadata: { name: "sel", namespace: "default", labels: { tier: "a" } },
    });
    const events: string[] = [];
    const h = c.watch(
      R.configmaps,
      { namespace: "default", labelSelector: "tier=b", resourceVersion: base.metadata.resourceVersion },
      (e) => events.push(`${e.type} ${e.object.metadata.labels?.tier}`),
    );
    await c.patch(R.configmaps, "default", "sel", "merge", { metadata: { labels: { tier: "b" } } });
    await c.patch(R.configmaps, "default", "sel", "merge", { data: { x: "1" } });
    await c.patch(R.configmaps, "default", "sel", "merge", { metadata: { labels: { tier: "c" } } });
    await c.patch(R.configmaps, "default", "sel", "merge", { data: { x: "2" } });
    await waitFor(() => (events.length >= 3 ? true : undefined));
    await new Promise((r) => setTimeout(r, 100));
    h.stop();
    expect(events).toEqual(["ADDED b", "MODIFIED b", "DELETED c"]);
  });
});
