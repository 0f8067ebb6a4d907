import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../client.ts";
import type { Pod } from "./podutil.ts";
import { isNotFound, R } from "./refs.ts";
import { createNode, eventually, patchRetry, startEnv } from "./testenv.ts";

let env: Awaited<ReturnType<typeof startEnv>>;
const provisioned: string[] = [];
const deleted: string[] = [];

beforeAll(async () => {
  env = await startEnv({
    clusterName: "acme",
    controlPlaneIp: "10.0.0.9",
    controllers: [
      "deployment",
      "replicaset",
      "persistentvolume",
      "resourcequota",
      "kubesystem",
      "daemonset",
      "namespace",
      "garbagecollector",
      "serviceaccount",
      "podgc",
    ],
    podGcQuarantineSeconds: 1,
    provisionVolume: async (claim) => {
      provisioned.push(`${claim.namespace}/${claim.name}:${claim.storageClass}:${claim.sizeBytes}`);
      return { volumeHandle: `vol-${claim.uid}` };
    },
    deleteVolume: async (h) => {
      deleted.push(h);
    },
  });
  await createNode(env.client, "w-1");
  await createNode(env.client, "w-2");
  env.fakeKubelets();
});
afterAll(async () => {
  await env?.stop();
});

describe("persistent volumes", () => {
  it("provisions a PV for a claim of the default class, binds both ways, and deletes it with the claim", async () => {
    const c = env.client;
    const sc = await eventually(
      () => c.get<any>(R.storageclasses, undefined, "standard"),
      10_000,
      "default StorageClass",
    );
    expect(sc.provisioner).toBe("nuage.io/localcloud");
    expect(sc.metadata.annotations["storageclass.kubernetes.io/is-default-class"]).toBe("true");
    const pvc = await c.create<any>(R.persistentvolumeclaims, {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "data", namespace: "default" },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    });
    const bound = await eventually(
      async () => {
        const p = await c.get<any>(R.persistentvolumeclaims, "default", "data");
        return p.status?.phase === "Bound" ? p : undefined;
      },
      15_000,
      "claim Bound",
    );
    expect(bound.spec.volumeName).toBe(`pvc-${pvc.metadata.uid}`);
    expect(bound.status.capacity.storage).toBe("1Gi");
    const pv = await eventually(
      async () => {
        const v = await c.get<any>(R.persistentvolumes, undefined, `pvc-${pvc.metadata.uid}`);
        return v.status?.phase === "Bound" ? v : undefined;
      },
      10_000,
      "volume Bound",
    );
    expect(pv.spec.claimRef).toMatchObject({ namespace: "default", name: "data", uid: pvc.metadata.uid });
    expect(pv.spec.csi.volumeHandle).toBe(`vol-${pvc.metadata.uid}`);
    expect(provisioned).toContain(`default/data:standard:${2 ** 30}`);
    await c.delete(R.persistentvolumeclaims, "default", "data");
    await eventually(
      async () => {
        try {
          await c.get(R.persistentvolumes, undefined, pv.metadata.name);
          return false;
        } catch (err) {
          return isNotFound(err);
        }
      },
      15_000,
      "PV reclaimed",
    );
    expect(deleted).toContain(`vol-${pvc.metadata.uid}`);
  });
});

describe("persistent volumes: binding modes and reclaim", () => {
  it("waits for a first consumer, then provisions; a Retain volume is Released with its claim", async () => {
    const c = env.client;
    await c.create(R.storageclasses, {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: "late" },
      provisioner: "nuage.io/localcloud",
      reclaimPolicy: "Retain",
      volumeBindingMode: "WaitForFirstConsumer",
    });
    await c.create(R.persistentvolumeclaims, {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "late-data", namespace: "default" },
      spec: { storageClassName: "late", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "2Gi" } } },
    });
    await eventually(
      async () => {
        const evs = (await c.list<any>(R.events, { namespace: "default" })).items;
        return evs.some((e) => e.reason === "WaitForFirstConsumer" && e.involvedObject.name === "late-data");
      },
      10_000,
      "WaitForFirstConsumer event",
    );
    expect((await c.get<any>(R.persistentvolumeclaims, "default", "late-data")).status?.phase).toBe("Pending");
    await c.create(R.pods, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "consumer", namespace: "default" },
      spec: {
        containers: [{ name: "c", image: "nginx", volumeMounts: [{ name: "d", mountPath: "/data" }] }],
        volumes: [{ name: "d", persistentVolumeClaim: { claimName: "late-data" } }],
      },
    });
    const pvc = await eventually(
      async () => {
        const p = await c.get<any>(R.persistentvolumeclaims, "default", "late-data");
        return p.status?.phase === "Bound" ? p : undefined;
      },
      15_000,
      "claim Bound after a consumer",
    );
    await c.delete(R.pods, "default", "consumer", { gracePeriodSeconds: 0 });
    await c.delete(R.persistentvolumeclaims, "default", "late-data");
    await eventually(
      async () => (await c.get<any>(R.persistentvolumes, undefined, pvc.spec.volumeName)).status?.phase === "Released",
      15_000,
      "Released",
    );
  });
});

describe("pod garbage collection", () => {
  it("replaces pods of a deleted node", async () => {
    const c = env.client;
    await createNode(c, "w-3");
    await patchRetry(c, R.nodes, undefined, "w-1", "merge", { spec: { unschedulable: true } });
    await patchRetry(c, R.nodes, undefined, "w-2", "merge", { spec: { unschedulable: true } });
    await c.create(R.deployments, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "mover", namespace: "default" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "mover" } },
        template: { metadata: { labels: { app: "mover" } }, spec: { containers: [{ name: "c", image: "nginx" }] } },
      },
    } as KubeObject);
    const first = await eventually(
      async () => {
        const p = (await c.list<Pod>(R.pods, { namespace: "default", labelSelector: "app=mover" })).items[0];
        return p?.spec?.nodeName === "w-3" ? p : undefined;
      },
      15_000,
      "pod on w-3",
    );
    await patchRetry(c, R.nodes, undefined, "w-1", "merge", { spec: { unschedulable: false } });
    await c.delete(R.nodes, undefined, "w-3");
    await eventually(
      async () => {
        const pods = (await c.list<Pod>(R.pods, { namespace: "default", labelSelector: "app=mover" })).items;
        return pods.length === 1 && pods[0]!.metadata.uid !== first.metadata.uid && pods[0]!.spec?.nodeName === "w-1";
      },
      20_000,
      "replacement on w-1",
    );
    await patchRetry(c, R.nodes, undefined, "w-2", "merge", { spec: { unschedulable: false } });
  });
});

describe("resource quota status", () => {
  it("keeps status.hard and status.used current", async () => {
    const c = env.client;
    await c.create(R.resourcequotas, {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "q", namespace: "default" },
      spec: { hard: { configmaps: "10", "count/deployments.apps": "5" } },
    });
    const before = await eventually(async () => {
      const q = await c.get<any>(R.resourcequotas, "default", "q");
      return q.status?.used ? q : undefined;
    }, 10_000);
    expect(before.status.hard).toEqual({ configmaps: "10", "count/deployments.apps": "5" });
    const n = Number(before.status.used.configmaps);
    await c.create(R.configmaps, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "quota-cm", namespace: "default" },
    });
    await eventually(
      async () => {
        const q = await c.get<any>(R.resourcequotas, "default", "q");
        return Number(q.status?.used?.configmaps) === n + 1;
      },
      10_000,
      "used configmaps + 1",
    );
  });
});

describe("replica sets under a quota", () => {
  it("creates what the quota allows and reports FailedCreate once per attempt", async () => {
    const c = env.client;
    await c.create(R.namespaces, { apiVersion: "v1", kind: "Namespace", metadata: { name: "tight" } });
    await c.create(R.resourcequotas, {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "pods", namespace: "tight" },
      spec: { hard: { pods: "1" } },
    });
    await c.create(R.deployments, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "many", namespace: "tight" },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "many" } },
        template: { metadata: { labels: { app: "many" } }, spec: { containers: [{ name: "c", image: "nginx" }] } },
      },
    } as KubeObject);
    const ev = await eventually(
      async () => {
        const evs = (await c.list<any>(R.events, { namespace: "tight" })).items;
        return evs.find((e) => e.reason === "FailedCreate");
      },
      15_000,
      "FailedCreate event",
    );
    expect(ev.type).toBe("Warning");
    expect(ev.message).toMatch(/^Error creating: pods "many-[a-z0-9]+-[a-z0-9]{5}" is forbidden: exceeded quota: pods/);
    expect((await c.list(R.pods, { namespace: "tight" })).items).toHaveLength(1);
  });
});

describe("kube-system", () => {
  it("shows the control plane mirror pods, CoreDNS, kube-dns and one kube-proxy per node", async () => {
    const c = env.client;
    const names = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"].map(
      (x) => `${x}-acme-control-plane`,
    );
    await eventually(
      async () => {
        const pods = (await c.list<Pod>(R.pods, { namespace: "kube-system" })).items;
        const mirror = pods.filter((p) => names.includes(p.metadata.name!));
        const dns = pods.filter((p) => p.metadata.labels?.["k8s-app"] === "kube-dns" && p.status?.phase === "Running");
        const proxies = pods.filter((p) => p.metadata.labels?.["k8s-app"] === "kube-proxy");
        return (
          mirror.length === 4 &&
          mirror.every((p) => p.status?.phase === "Running" && p.spec?.nodeName === "acme-control-plane") &&
          dns.length === 2 &&
          dns.every((p) => p.spec?.nodeName?.startsWith("w-")) &&
          proxies.length === 2 &&
          new Set(proxies.map((p) => p.spec?.nodeName)).size === 2
        );
      },
      20_000,
      "kube-system pods",
    );
    const svc = await c.get<any>(R.services, "kube-system", "kube-dns");
    expect(svc.spec.clusterIP).toBe("10.96.0.10");
    // A deleted mirror pod comes back, Running.
    await c.delete(R.pods, "kube-system", "kube-scheduler-acme-control-plane", { gracePeriodSeconds: 0 });
    await eventually(
      async () => {
        const p = await c.get<Pod>(R.pods, "kube-system", "kube-scheduler-acme-control-plane");
        return p.status?.phase === "Running";
      },
      10_000,
      "mirror pod recreated",
    );
  });
});

describe("namespace lifecycle", () => {
  it("empties a deleted namespace, then removes it", async () => {
    const c = env.client;
    await c.create(R.namespaces, { apiVersion: "v1", kind: "Namespace", metadata: { name: "doomed" } });
    await c.create(R.configmaps, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "doomed" } });
    const dep = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", namespace: "doomed" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "d" } },
        template: { metadata: { labels: { app: "d" } }, spec: { containers: [{ name: "c", image: "nginx" }] } },
      },
    } as KubeObject;
    await c.create(R.deployments, dep);
    await eventually(
      async () => (await c.list(R.pods, { namespace: "doomed" })).items.length === 1,
      10_000,
      "pod in doomed",
    );
    await c.delete(R.namespaces, undefined, "doomed");
    const ns = await c.get<any>(R.namespaces, undefined, "doomed");
    expect(ns.status.phase).toBe("Terminating");
    await eventually(
      async () => {
        try {
          await c.get(R.namespaces, undefined, "doomed");
          return false;
        } catch (err) {
          return isNotFound(err);
        }
      },
      30_000,
      "namespace gone",
    );
    expect((await c.list(R.configmaps, { namespace: "doomed" })).items).toEqual([]);
    expect((await c.list(R.pods, { namespace: "doomed" })).items).toEqual([]);
  });
});
