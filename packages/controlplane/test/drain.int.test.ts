// PodDisruptionBudgets, the eviction subresource and kubectl cordon/drain/uncordon, with the
// default, oldest and newest kubectl, against 3 real node agents.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KUBECTL } from "./cluster.ts";
import { eventually, startWorkloadCluster, type WorkloadCluster } from "./nodes.ts";

let c: WorkloadCluster;
beforeAll(async () => {
  c = await startWorkloadCluster({ nodes: 3, namePrefix: "dr" });
  await c.k(["create", "namespace", "dr"]);
  await c.k(["-n", "dr", "apply", "-f", "-"], { stdin: MANIFEST });
  await c.k(["-n", "dr", "rollout", "status", "deploy/web", "--timeout=60s"]);
  await c.k(["-n", "dr", "rollout", "status", "ds/logs", "--timeout=60s"]);
}, 90_000);
afterAll(async () => {
  await c?.stop();
});

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
      volumes:
      - name: cache
        emptyDir: {}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  minAvailable: 2
  selector:
    matchLabels:
      app: web
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: logs
spec:
  selector:
    matchLabels:
      app: logs
  template:
    metadata:
      labels:
        app: logs
    spec:
      containers:
      - name: c
        image: fluentd:v1
`;

const json = async (args: string[]) => JSON.parse(await c.k([...args, "-o", "json"]));
const webNodes = async () => {
  const pods = await json(["-n", "dr", "get", "pods", "-l", "app=web"]);
  return pods.items
    .filter((p: any) => !p.metadata.deletionTimestamp && p.spec.nodeName)
    .map((p: any) => p.spec.nodeName as string);
};

describe("PodDisruptionBudget and drain", () => {
  it("kubectl get pdb shows the budget's status", async () => {
    await eventually(async () => {
      const pdb = await json(["-n", "dr", "get", "pdb", "web"]);
      expect(pdb.status.currentHealthy).toBe(2);
      expect(pdb.status.desiredHealthy).toBe(2);
      expect(pdb.status.expectedPods).toBe(2);
      expect(pdb.status.disruptionsAllowed).toBe(0);
    });
    const row = (await c.k(["-n", "dr", "get", "pdb", "web", "--no-headers"])).trim().split(/\s+/);
    expect(row.slice(0, 4)).toEqual(["web", "2", "N/A", "0"]);
  });

  it("drain is refused by the budget (429, retried) and leaves the node cordoned", async () => {
    const [node] = await webNodes();
    const r = await c.kubectl(["drain", node!, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=7s"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toContain("Cannot evict pod as it would violate the pod's disruption budget");
    const n = await json(["get", "node", node!]);
    expect(n.spec.unschedulable).toBe(true);
    expect(await c.k(["get", "node", node!])).toContain("SchedulingDisabled");
    await c.k(["uncordon", node!]);
  });

  it.each(Object.entries(KUBECTL))("kubectl %s drains a node within the budget, then uncordon", async (_v, bin) => {
    await c.k(["-n", "dr", "scale", "deploy/web", "--replicas=3"]);
    await c.k(["-n", "dr", "rollout", "status", "deploy/web", "--timeout=60s"]);
    await eventually(async () => {
      const pdb = await json(["-n", "dr", "get", "pdb", "web"]);
      expect(pdb.status.disruptionsAllowed).toBe(1);
    });
    const [node] = await webNodes();
    const out = await c.k(["drain", node!, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=60s"], {
      bin,
    });
    expect(out).toContain(`node/${node} drained`);
    const left = await json(["get", "pods", "-A", "--field-selector", `spec.nodeName=${node}`]);
    const kinds = left.items
      .filter((p: any) => !p.metadata.deletionTimestamp && p.status.phase === "Running")
      .map((p: any) => p.metadata.ownerReferences?.[0]?.kind);
    expect(kinds).not.toContain("ReplicaSet");
    expect(kinds).toContain("DaemonSet");
    await c.k(["-n", "dr", "rollout", "status", "deploy/web", "--timeout=60s"]);
    expect(await webNodes()).not.toContain(node);
    await c.k(["uncordon", node!], { bin });
    expect((await json(["get", "node", node!])).spec.unschedulable).toBeUndefined();
    await c.k(["-n", "dr", "scale", "deploy/web", "--replicas=2"]);
  });
});
