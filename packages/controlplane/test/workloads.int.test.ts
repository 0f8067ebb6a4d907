// Workload controllers end to end: a control plane, 3 real node agents, real kubectl.
// DaemonSet on 3 nodes (+ a 4th joining), StatefulSet of 3 with PVCs (Jobs and CronJobs: jobs.int.test.ts).
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KUBECTL } from "./cluster.ts";
import { eventually, startWorkloadCluster, type WorkloadCluster } from "./nodes.ts";

let c: WorkloadCluster;

beforeAll(async () => {
  c = await startWorkloadCluster({
    nodes: 3,
    namePrefix: "wl",
    timing: { sleepScale: 0.2, backoffInitialMs: 500, backoffMaxMs: 2000 },
  });
  await c.k(["create", "namespace", "wl"]);
}, 90_000);
afterAll(async () => {
  await c?.stop();
});

const json = async (args: string[]) => JSON.parse(await c.k([...args, "-o", "json"]));

const DS = (image: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
      - name: agent
        image: ${image}
`;

describe("DaemonSet", () => {
  it("runs one pod per node, follows node additions and removals, rolls out and back", async () => {
    await c.k(["-n", "wl", "apply", "-f", "-"], { stdin: DS("fluentd:v1") });
    await c.k(["-n", "wl", "rollout", "status", "ds/agent", "--timeout=60s"]);
    const podsOn = async () => {
      const pods = await json(["-n", "wl", "get", "pods", "-l", "app=agent"]);
      return pods.items
        .filter((p: { metadata: { deletionTimestamp?: string } }) => !p.metadata.deletionTimestamp)
        .map((p: { spec: { nodeName: string } }) => p.spec.nodeName)
        .sort();
    };
    expect(await podsOn()).toEqual(["wl-node-1", "wl-node-2", "wl-node-3"]);
    const table = await c.k(["-n", "wl", "get", "ds", "agent"]);
    expect(table).toMatch(/agent\s+3\s+3\s+3\s+3\s+3\s+<none>/);

    await c.addNode("wl-node-4");
    await eventually(async () => expect(await podsOn()).toHaveLength(4));
    c.stopNode("wl-node-4");
    await c.k(["delete", "node", "wl-node-4"]);
    await eventually(async () => expect(await podsOn()).toEqual(["wl-node-1", "wl-node-2", "wl-node-3"]));

    await c.k(["-n", "wl", "set", "image", "ds/agent", "agent=fluentd:v2"]);
    await c.k(["-n", "wl", "rollout", "status", "ds/agent", "--timeout=60s"]);
    const images = async () => {
      const pods = await json(["-n", "wl", "get", "pods", "-l", "app=agent"]);
      const live = pods.items.filter((p: any) => !p.metadata.deletionTimestamp);
      return [...new Set(live.map((p: any) => p.spec.containers[0].image))];
    };
    await eventually(async () => expect(await images()).toEqual(["fluentd:v2"]));
    const history = await c.k(["-n", "wl", "rollout", "history", "ds/agent"]);
    expect(history).toMatch(/1\s+<none>/);
    expect(history).toMatch(/2\s+<none>/);
    await c.k(["-n", "wl", "rollout", "undo", "ds/agent"]);
    await c.k(["-n", "wl", "rollout", "status", "ds/agent", "--timeout=60s"]);
    await eventually(async () => expect(await images()).toEqual(["fluentd:v1"]));
    for (const bin of [KUBECTL["1.27"], KUBECTL["1.33"]]) {
      await c.k(["-n", "wl", "rollout", "status", "ds/agent", "--timeout=30s"], { bin });
      expect(await c.k(["-n", "wl", "rollout", "history", "ds/agent"], { bin })).toMatch(/3\s+<none>/);
    }
    const revs = await json(["-n", "wl", "get", "controllerrevisions"]);
    const agentRevs = revs.items.filter((r: { metadata: { name: string } }) => r.metadata.name.startsWith("agent-"));
    expect(agentRevs.map((r: { revision: number }) => r.revision).sort()).toEqual([2, 3]);
  });

  it("rolls out with maxSurge: the new pod starts beside the old one before it goes", async () => {
    const manifest = (image: string) =>
      DS(image)
        .replace("name: agent\n", "name: surge\n")
        .replaceAll("app: agent", "app: surge")
        .replace(
          "spec:\n  selector:",
          "spec:\n  updateStrategy:\n    rollingUpdate:\n      maxSurge: 1\n      maxUnavailable: 0\n  selector:",
        );
    await c.k(["-n", "wl", "apply", "-f", "-"], { stdin: manifest("fluentd:v1") });
    await c.k(["-n", "wl", "rollout", "status", "ds/surge", "--timeout=60s"]);
    // Every change to the pods, in order, from a kubectl watch (polling could miss a short overlap):
    // the rollout surged if a new pod was Ready on a node while that node's old pod still ran.
    const { path: watcherConfig } = await c.kubeconfig("surge-watcher", ["system:masters"]);
    const watcher = spawn(
      KUBECTL["1.32"],
      [
        "--kubeconfig",
        watcherConfig,
        "-n",
        "wl",
        "get",
        "pods",
        "-l",
        "app=surge",
        "-w",
        "--output-watch-events",
        "-o",
        "json",
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const pods = new Map<string, { node?: string; image: string; terminating: boolean; ready: boolean }>();
    let overlapped = false;
    let watching = false;
    let buf = "";
    watcher.stdout.setEncoding("utf8");
    watcher.stdout.on("data", (chunk: string) => {
      buf += chunk;
      // With --output-watch-events kubectl prints each event as one line of JSON.
      for (let end = buf.indexOf("\n"); end >= 0; end = buf.indexOf("\n")) {
        const line = buf.slice(0, end).trim();
        buf = buf.slice(end + 1);
        if (!line) continue;
        const ev = JSON.parse(line);
        watching = true;
        const p = ev.object;
        if (!p?.spec) continue; // an ERROR event carries a Status
        if (ev.type === "DELETED") pods.delete(p.metadata.name);
        else
          pods.set(p.metadata.name, {
            node: p.spec.nodeName,
            image: p.spec.containers[0].image,
            terminating: Boolean(p.metadata.deletionTimestamp),
            ready: (p.status?.conditions ?? []).some((cond: any) => cond.type === "Ready" && cond.status === "True"),
          });
        const all = [...pods.values()];
        for (const n of all) {
          if (n.image !== "fluentd:v3" || !n.ready) continue;
          if (all.some((o) => o.image === "fluentd:v1" && o.node === n.node && !o.terminating)) overlapped = true;
        }
      }
    });
    try {
      await eventually(async () => expect(watching).toBe(true), 30_000, 50);
      await c.k(["-n", "wl", "apply", "-f", "-"], { stdin: manifest("fluentd:v3") });
      await eventually(
        async () => {
          const pods = await json(["-n", "wl", "get", "pods", "-l", "app=surge"]);
          const live = pods.items.filter((p: any) => !p.metadata.deletionTimestamp);
          expect(live.map((p: any) => p.spec.containers[0].image)).toEqual(["fluentd:v3", "fluentd:v3", "fluentd:v3"]);
        },
        60_000,
        100,
      );
    } finally {
      watcher.kill();
    }
    expect(overlapped).toBe(true);
    const ds = await json(["-n", "wl", "get", "ds", "surge"]);
    expect(ds.status.updatedNumberScheduled).toBe(3);
    await c.k(["-n", "wl", "delete", "ds", "surge"]);
  });

  it("skips nodes whose taints it does not tolerate and honours nodeSelector", async () => {
    await c.k(["taint", "node", "wl-node-1", "dedicated=db:NoSchedule"]);
    await c.k(["label", "node", "wl-node-2", "disk=ssd"]);
    const manifest = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ssd
spec:
  selector:
    matchLabels:
      app: ssd
  template:
    metadata:
      labels:
        app: ssd
    spec:
      nodeSelector:
        disk: ssd
      containers:
      - name: c
        image: nginx
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: untainted
spec:
  selector:
    matchLabels:
      app: untainted
  template:
    metadata:
      labels:
        app: untainted
    spec:
      containers:
      - name: c
        image: nginx
`;
    await c.k(["-n", "wl", "apply", "-f", "-"], { stdin: manifest });
    await eventually(async () => {
      const ssd = await json(["-n", "wl", "get", "ds", "ssd"]);
      expect(ssd.status.desiredNumberScheduled).toBe(1);
      expect(ssd.status.numberReady).toBe(1);
      const u = await json(["-n", "wl", "get", "ds", "untainted"]);
      expect(u.status.desiredNumberScheduled).toBe(2);
      expect(u.status.numberReady).toBe(2);
    });
    const table = await c.k(["-n", "wl", "get", "ds", "ssd"]);
    expect(table).toContain("disk=ssd");
    await c.k(["taint", "node", "wl-node-1", "dedicated-"]);
    await c.k(["-n", "wl", "delete", "ds", "ssd", "untainted"]);
  });
});

const STS = (image: string) => `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  clusterIP: None
  selector:
    app: web
  ports:
  - port: 80
    name: web
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: 3
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
        image: ${image}
        volumeMounts:
        - name: www
          mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: ["ReadWriteOnce"]
      resources:
        requests:
          storage: 1Gi
`;

describe("StatefulSet", () => {
  it("starts web-0..2 in order with bound PVCs, scales down from the top, rolls out by partition", async () => {
    await c.k(["-n", "wl", "apply", "-f", "-"], { stdin: STS("nginx:1.26") });
    await c.k(["-n", "wl", "rollout", "status", "sts/web", "--timeout=60s"]);
    const pods = await json(["-n", "wl", "get", "pods", "-l", "app=web"]);
    const byName = new Map<string, any>(pods.items.map((p: any) => [p.metadata.name, p]));
    expect([...byName.keys()].sort()).toEqual(["web-0", "web-1", "web-2"]);
    // Ordered: each pod was created after the previous one was Ready.
    const created = (n: string) => Date.parse(byName.get(n).metadata.creationTimestamp);
    const ready = (n: string) =>
      Date.parse(byName.get(n).status.conditions.find((x: any) => x.type === "Ready").lastTransitionTime);
    expect(created("web-1")).toBeGreaterThanOrEqual(ready("web-0"));
    expect(created("web-2")).toBeGreaterThanOrEqual(ready("web-1"));
    expect(byName.get("web-1").spec.hostname).toBe("web-1");
    expect(byName.get("web-1").spec.subdomain).toBe("web");
    await eventually(async () => {
      const pvcs = await json(["-n", "wl", "get", "pvc"]);
      const www = pvcs.items.filter((x: any) => x.metadata.name.startsWith("www-web-"));
      expect(www.map((x: any) => x.metadata.name).sort()).toEqual(["www-web-0", "www-web-1", "www-web-2"]);
      for (const x of www) expect(x.status.phase).toBe("Bound");
    });
    expect(await c.k(["-n", "wl", "get", "sts", "web"])).toMatch(/web\s+3\/3/);

    await c.k(["-n", "wl", "scale", "sts/web", "--replicas=2"]);
    await eventually(async () => {
      const p = await json(["-n", "wl", "get", "pods", "-l", "app=web"]);
      expect(p.items.map((x: any) => x.metadata.name).sort()).toEqual(["web-0", "web-1"]);
    });
    // Retain (the default): the claim of web-2 stays for when it comes back.
    await c.k(["-n", "wl", "get", "pvc", "www-web-2"]);
    await c.k(["-n", "wl", "scale", "sts/web", "--replicas=3"]);
    await c.k(["-n", "wl", "rollout", "status", "sts/web", "--timeout=60s"]);

    // Partitioned rolling update: only ordinals >= 2 move to the new template.
    await c.k([
      "-n",
      "wl",
      "patch",
      "sts",
      "web",
      "-p",
      '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}',
    ]);
    await c.k(["-n", "wl", "set", "image", "sts/web", "nginx=nginx:1.27"]);
    const imageOf = async (n: string) => (await json(["-n", "wl", "get", "pod", n])).spec.containers[0].image as string;
    await eventually(async () => expect(await imageOf("web-2")).toBe("nginx:1.27"));
    await new Promise((r) => setTimeout(r, 1500));
    expect(await imageOf("web-1")).toBe("nginx:1.26");
    expect(await imageOf("web-0")).toBe("nginx:1.26");
    await c.k([
      "-n",
      "wl",
      "patch",
      "sts",
      "web",
      "-p",
      '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}',
    ]);
    await c.k(["-n", "wl", "rollout", "status", "sts/web", "--timeout=60s"]);
    await eventually(async () => expect(await imageOf("web-0")).toBe("nginx:1.27"));
    const set = await json(["-n", "wl", "get", "sts", "web"]);
    expect(set.status.currentRevision).toBe(set.status.updateRevision);
    expect(await c.k(["-n", "wl", "rollout", "history", "sts/web"])).toMatch(/2\s+<none>/);
    await c.k(["-n", "wl", "rollout", "undo", "sts/web"]);
    await c.k(["-n", "wl", "rollout", "status", "sts/web", "--timeout=60s"]);
    await eventually(async () => expect(await imageOf("web-0")).toBe("nginx:1.26"));
  });
});

describe("StatefulSet retention and Parallel", () => {
  it("Parallel starts every pod at once; whenScaled/whenDeleted Delete remove the claims", async () => {
    const manifest = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 2
  podManagementPolicy: Parallel
  persistentVolumeClaimRetentionPolicy:
    whenScaled: Delete
    whenDeleted: Delete
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: db
        image: postgres:17
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: ["ReadWriteOnce"]
      resources:
        requests:
          storage: 1Gi
`;
    await c.k(["-n", "wl", "apply", "-f", "-"], { stdin: manifest });
    await c.k(["-n", "wl", "rollout", "status", "sts/db", "--timeout=60s"]);
    const claims = async () => {
      const pvcs = await json(["-n", "wl", "get", "pvc"]);
      return pvcs.items
        .filter((x: any) => x.metadata.name.startsWith("data-db-") && !x.metadata.deletionTimestamp)
        .map((x: any) => x.metadata.name)
        .sort();
    };
    expect(await claims()).toEqual(["data-db-0", "data-db-1"]);
    await c.k(["-n", "wl", "scale", "sts/db", "--replicas=1"]);
    await eventually(async () => expect(await claims()).toEqual(["data-db-0"]));
    await c.k(["-n", "wl", "delete", "sts", "db"]);
    await eventually(async () => expect(await claims()).toEqual([]));
  });
});
