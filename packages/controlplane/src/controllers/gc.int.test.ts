import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../client.ts";
import type { Pod } from "./podutil.ts";
import { isNotFound, R } from "./refs.ts";
import { createNode, deployment, eventually, startEnv } from "./testenv.ts";

let env: Awaited<ReturnType<typeof startEnv>>;
const CA = "-----BEGIN CERTIFICATE-----\nTESTCA\n-----END CERTIFICATE-----\n";

beforeAll(async () => {
  env = await startEnv({ caPem: CA, controlPlaneIp: "10.0.0.5", controlPlanePort: 6443 });
  await createNode(env.client, "gc-node");
  env.fakeKubelets();
});
afterAll(async () => {
  await env?.stop();
});

const gone = async (ref: Parameters<typeof env.client.get>[0], ns: string | undefined, name: string) => {
  try {
    await env.client.get(ref, ns, name);
    return false;
  } catch (err) {
    return isNotFound(err);
  }
};
const cm = (name: string, owner?: KubeObject, block = false): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: {
    name,
    namespace: "default",
    ...(owner
      ? {
          ownerReferences: [
            {
              apiVersion: owner.apiVersion,
              kind: owner.kind,
              name: owner.metadata.name!,
              uid: owner.metadata.uid!,
              blockOwnerDeletion: block,
            },
          ],
        }
      : {}),
  },
});

describe("garbage collector", () => {
  it("deletes dependents in the background once the owner is gone", async () => {
    const c = env.client;
    const owner = await c.create(R.configmaps, cm("owner-bg"));
    await c.create(R.configmaps, cm("dep-bg", owner));
    await c.delete(R.configmaps, "default", "owner-bg");
    await eventually(() => gone(R.configmaps, "default", "dep-bg"), 10_000, "dependent deleted");
  });

  it("deletes a deployment's ReplicaSets and pods in the foreground before the deployment", async () => {
    const c = env.client;
    await c.create(R.deployments, deployment("default", "fg", 2) as KubeObject);
    await eventually(
      async () => (await c.get<any>(R.deployments, "default", "fg")).status?.availableReplicas === 2,
      20_000,
    );
    await c.delete(R.deployments, "default", "fg", { propagationPolicy: "Foreground" });
    const d = await c.get<any>(R.deployments, "default", "fg");
    expect(d.metadata.finalizers).toContain("foregroundDeletion");
    await eventually(() => gone(R.deployments, "default", "fg"), 20_000, "deployment deleted");
    const rss = (await c.list<any>(R.replicasets, { namespace: "default" })).items.filter((r) =>
      r.metadata.name.startsWith("fg-"),
    );
    const pods = (await c.list<Pod>(R.pods, { namespace: "default", labelSelector: "app=fg" })).items;
    expect(rss).toEqual([]);
    expect(pods).toEqual([]);
  });

  it("orphans dependents when asked to", async () => {
    const c = env.client;
    const owner = await c.create(R.configmaps, cm("owner-or"));
    await c.create(R.configmaps, cm("dep-or", owner));
    await c.delete(R.configmaps, "default", "owner-or", { propagationPolicy: "Orphan" });
    await eventually(() => gone(R.configmaps, "default", "owner-or"), 10_000, "owner deleted");
    const dep = await c.get(R.configmaps, "default", "dep-or");
    expect(dep.metadata.ownerReferences ?? []).toEqual([]);
  });

  it("deletes the dependents of a custom resource once it is deleted, and a custom resource whose owner is gone", async () => {
    const c = env.client;
    const CRDS = { group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions" };
    const WIDGETS = { group: "gc.example.com", version: "v1", resource: "widgets" };
    await c.create(CRDS, {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.gc.example.com" },
      spec: {
        group: "gc.example.com",
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
          },
        ],
      },
    });
    const widget = await eventually(
      () =>
        c
          .create(WIDGETS, {
            apiVersion: "gc.example.com/v1",
            kind: "Widget",
            metadata: { name: "w1", namespace: "default" },
          })
          .catch(() => undefined),
      10_000,
      "widgets served",
    );
    // A ConfigMap owned by the Widget, and a Widget owned by a ConfigMap.
    await c.create(R.configmaps, cm("dep-of-widget", widget));
    const cmOwner = await c.create(R.configmaps, cm("owner-of-widget"));
    await c.create(WIDGETS, {
      apiVersion: "gc.example.com/v1",
      kind: "Widget",
      metadata: {
        name: "w2",
        namespace: "default",
        ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "owner-of-widget", uid: cmOwner.metadata.uid! }],
      },
    });
    // Still owned: nothing is collected.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await gone(R.configmaps, "default", "dep-of-widget")).toBe(false);
    expect(await gone(WIDGETS, "default", "w2")).toBe(false);
    await c.delete(WIDGETS, "default", "w1");
    await eventually(() => gone(R.configmaps, "default", "dep-of-widget"), 10_000, "the Widget's ConfigMap deleted");
    await c.delete(R.configmaps, "default", "owner-of-widget");
    await eventually(() => gone(WIDGETS, "default", "w2"), 10_000, "the ConfigMap's Widget deleted");
    await c.delete(CRDS, undefined, "widgets.gc.example.com");
  });
});

describe("endpoints, service accounts and root CA", () => {
  it("publishes ready and not-ready pod addresses with named target ports", async () => {
    const c = env.client;
    const tpl = deployment("default", "api", 2) as any;
    tpl.spec.template.spec.containers[0].ports = [{ name: "http", containerPort: 8080 }];
    await c.create(R.deployments, tpl);
    await c.create(R.services, {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "api", namespace: "default" },
      spec: { selector: { app: "api" }, ports: [{ name: "web", port: 80, targetPort: "http" }] },
    });
    const ep = await eventually(
      async () => {
        const ep = await c.get<any>(R.endpoints, "default", "api");
        return ep.subsets?.[0]?.addresses?.length === 2 ? ep : undefined;
      },
      20_000,
      "2 ready addresses",
    );
    expect(ep.subsets[0].ports).toEqual([{ name: "web", port: 8080, protocol: "TCP" }]);
    expect(ep.subsets[0].addresses[0].targetRef.kind).toBe("Pod");
    const slices = await eventually(
      async () => {
        const l = (
          await c.list<any>(R.endpointslices, { namespace: "default", labelSelector: "kubernetes.io/service-name=api" })
        ).items;
        return l.length === 1 && l[0].endpoints.length === 2 ? l : undefined;
      },
      10_000,
      "EndpointSlice with 2 endpoints",
    );
    expect(slices[0].endpoints.map((e: any) => e.conditions.ready)).toEqual([true, true]);
    expect(slices[0].ports).toEqual([{ name: "web", port: 8080, protocol: "TCP" }]);
    // A pod that is not ready moves to notReadyAddresses.
    const [p] = (await c.list<Pod>(R.pods, { namespace: "default", labelSelector: "app=api" })).items;
    const upd = structuredClone(p!);
    upd.status!.conditions = upd.status!.conditions!.map((x) => (x.type === "Ready" ? { ...x, status: "False" } : x));
    await c.update(R.pods, upd, { subresource: "status" });
    await eventually(
      async () => {
        const ep = await c.get<any>(R.endpoints, "default", "api");
        return ep.subsets?.[0]?.addresses?.length === 1 && ep.subsets[0].notReadyAddresses?.length === 1;
      },
      10_000,
      "one not-ready address",
    );
    const k = await eventually(() => c.get<any>(R.endpoints, "default", "kubernetes"), 10_000);
    expect(k.subsets).toEqual([
      { addresses: [{ ip: "10.0.0.5" }], ports: [{ name: "https", port: 6443, protocol: "TCP" }] },
    ]);
  });

  it("gives every namespace a default ServiceAccount and the kube-root-ca.crt ConfigMap, restoring them", async () => {
    const c = env.client;
    await c.create(R.namespaces, { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } });
    const cmap = await eventually(() => c.get<any>(R.configmaps, "team-a", "kube-root-ca.crt"), 10_000, "root CA");
    expect(cmap.data["ca.crt"]).toBe(CA);
    await eventually(() => c.get(R.serviceaccounts, "team-a", "default"), 10_000, "default SA");
    await c.delete(R.configmaps, "team-a", "kube-root-ca.crt");
    await c.delete(R.serviceaccounts, "team-a", "default");
    await eventually(() => c.get(R.configmaps, "team-a", "kube-root-ca.crt"), 10_000, "root CA restored");
    await eventually(() => c.get(R.serviceaccounts, "team-a", "default"), 10_000, "default SA restored");
  });
});
