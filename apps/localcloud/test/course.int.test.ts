// The kubectl commands and manifests of the course notes, run unchanged (real kubectl) against
// one local cluster: a control plane and three nodes on localcloud.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, k, kubectl, startTestCluster } from "./helpers.ts";

const FIX = join(import.meta.dirname, "fixtures");
let env: Awaited<ReturnType<typeof startTestCluster>>;
let kc: string;
const run = (...args: string[]) => k(kc, args);

interface PodList {
  items: Array<{
    metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
    spec: { nodeName?: string; containers: Array<{ image: string }> };
    status: {
      phase?: string;
      podIP?: string;
      hostIP?: string;
      containerStatuses?: Array<{
        ready: boolean;
        restartCount: number;
        state: Record<string, { reason?: string }>;
        lastState: Record<string, { reason?: string; exitCode?: number }>;
      }>;
    };
  }>;
}

async function pods(selector: string, ns = "default"): Promise<PodList["items"]> {
  const out = await run("get", "pods", "-n", ns, "-l", selector, "-o", "json");
  return (JSON.parse(out) as PodList).items.filter((p) => !p.metadata.deletionTimestamp);
}

async function readyPods(selector: string, n: number): Promise<PodList["items"]> {
  return eventually(async () => {
    const items = await pods(selector);
    const ready = items.filter((p) => p.status.containerStatuses?.every((c) => c.ready));
    if (ready.length !== n || items.length !== n) throw new Error(`${ready.length}/${items.length} ready, want ${n}`);
    return items;
  }, 60_000);
}

beforeAll(async () => {
  env = await startTestCluster(3);
  kc = env.cluster.kubeconfigPath;
});
afterAll(async () => {
  await env?.close();
});

describe("course: pods", () => {
  it("apply -f a Pod: it runs on a node with an IP, logs and events", async () => {
    expect(await run("apply", "-f", join(FIX, "pod-nginx.yaml"))).toContain("pod/nginx created");
    const [pod] = await eventually(async () => {
      const items = await run("get", "pod", "nginx", "-o", "json").then((o) => [
        JSON.parse(o) as PodList["items"][number],
      ]);
      if (items[0]?.status.phase !== "Running") throw new Error(`phase ${items[0]?.status.phase}`);
      return items;
    });
    expect(pod?.status.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
    expect(pod?.spec.nodeName).toMatch(/-node-\d$/);
    const wide = await run("get", "pods", "-o", "wide");
    expect(wide).toMatch(/nginx\s+1\/1\s+Running\s+0/);
    expect(wide).toContain(pod?.status.podIP);
    const logs = await run("logs", "nginx");
    expect(logs).toContain("Configuration complete; ready for start up");
    const describe = await run("describe", "pod", "nginx");
    expect(describe).toContain("Status:           Running");
    expect(describe).toMatch(/Started\s+.*Started container nginx/);
  });

  it("logs -f follows a container until it exits", async () => {
    await run(
      "run",
      "counter",
      "--image=busybox",
      "--restart=Never",
      "--",
      "sh",
      "-c",
      "echo one; sleep 2; echo two; sleep 1; echo three",
    );
    await eventually(
      async () => {
        const phase = await run("get", "pod", "counter", "-o", "jsonpath={.status.phase}");
        if (phase !== "Running") throw new Error(phase);
      },
      30_000,
      100,
    );
    const out = await run("logs", "-f", "counter");
    expect(out.trim().split("\n")).toEqual(["one", "two", "three"]);
  });

  it("resources: requests and limits are kept and the pod runs", async () => {
    await run("apply", "-f", join(FIX, "pod-resources.yaml"));
    const out = await eventually(async () => {
      const o = await run("get", "pod", "app", "--no-headers");
      if (!o.includes("Running")) throw new Error(o);
      return run("describe", "pod", "app");
    });
    expect(out).toMatch(/Limits:\s+cpu:\s+500m\s+memory:\s+128Mi/);
    expect(out).toMatch(/QoS Class:\s+Burstable/);
  });

  it("top: nodes and pods report usage from the kubelets", async () => {
    const nodes = await eventually(async () => {
      const o = await run("top", "nodes", "--no-headers");
      if (o.trim().split("\n").length !== 3) throw new Error(o);
      return o;
    });
    expect(nodes).toMatch(/-node-1\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/);
    const top = await eventually(async () => {
      const o = await run("top", "pods");
      if (!/nginx\s+\d+m\s+\d+Mi/.test(o)) throw new Error(o);
      return o;
    });
    expect(top).toContain("nginx");
  });

  it("get pods -n kube-system lists the system pods", async () => {
    const out = await run("get", "pod", "-n", "kube-system");
    expect(out).toContain("kube-apiserver");
    expect(out).toMatch(/Running/);
  });
});

describe("course: deployments and services", () => {
  it("apply -f a Deployment, then get deployments,replicasets,pods -o wide", async () => {
    expect(await run("apply", "-f", join(FIX, "deployment-nginx.yaml"))).toContain(
      "deployment.apps/nginx-deployment created",
    );
    const items = await readyPods("app=nginx", 3);
    expect(new Set(items.map((p) => p.spec.nodeName)).size).toBeGreaterThan(1);
    const out = await run("get", "deployments,replicasets,pods", "-o", "wide");
    expect(out).toMatch(/deployment\.apps\/nginx-deployment\s+3\/3\s+3\s+3/);
    expect(out).toMatch(/replicaset\.apps\/nginx-deployment-[a-z0-9]+\s+3\s+3\s+3/);
    expect(out).toContain("nginx:1.7.9");
    expect(await run("get", "deployments")).toMatch(/nginx-deployment\s+3\/3/);
  });

  it("expose deployment --type=NodePort", async () => {
    expect(await run("expose", "deployment", "nginx-deployment", "--type=NodePort")).toContain(
      "service/nginx-deployment exposed",
    );
    const svc = await run("get", "svc", "nginx-deployment", "--no-headers");
    expect(svc).toMatch(/NodePort\s+10\.\d+\.\d+\.\d+\s+<none>\s+80:3\d{4}\/TCP/);
  });

  it("expose --type=LoadBalancer gets an address from a localcloud load balancer", async () => {
    await run("expose", "deployment", "nginx-deployment", "--name=nginx-lb", "--type=LoadBalancer", "--port=80");
    const line = await eventually(async () => {
      const o = await run("get", "svc", "nginx-lb", "--no-headers");
      if (o.includes("<pending>")) throw new Error(o);
      return o;
    }, 30_000);
    expect(line).toMatch(/LoadBalancer\s+10\.\S+\s+127\.\d+\.\d+\.\d+\s+80:3\d{4}\/TCP/);
    // The service's balancer (the cluster's ingress address is a balancer of its own, "ingress-<id>").
    const ofService = (lb: { id: string; controlPlaneId?: string }) =>
      lb.controlPlaneId === env.cluster.name && lb.id.startsWith("svc-");
    const lbs = env.cloud.lc.cloud.resources.listLoadBalancers().filter(ofService);
    expect(lbs).toHaveLength(1);
    await run("delete", "svc", "nginx-lb");
    await eventually(async () => {
      const left = env.cloud.lc.cloud.resources.listLoadBalancers().filter(ofService);
      if (left.length !== 0) throw new Error(`${left.length} load balancers left`);
    }, 15_000);
  });

  it("scale --replicas, label a pod, delete a pod and a replacement appears", async () => {
    expect(await run("scale", "--replicas=5", "deployment/nginx-deployment")).toContain("scaled");
    const five = await readyPods("app=nginx", 5);
    const victim = five[0]?.metadata.name as string;
    expect(await run("label", "pod", victim, "university=uqar")).toContain("labeled");
    expect(await run("get", "pods", "-l", "university=uqar", "--no-headers")).toContain(victim);
    await run("delete", "pod", victim);
    const after = await readyPods("app=nginx", 5);
    expect(after.map((p) => p.metadata.name)).not.toContain(victim);
    await run("scale", "--replicas=3", "deployment/nginx-deployment");
    await readyPods("app=nginx", 3);
  });

  it("set image, rollout status, rollout undo", async () => {
    await run("set", "image", "deployment/nginx-deployment", "nginx=nginx:1.14.2");
    expect(await run("rollout", "status", "deployment/nginx-deployment", "--timeout=90s")).toContain(
      "successfully rolled out",
    );
    let items = await readyPods("app=nginx", 3);
    expect(items.every((p) => p.spec.containers[0]?.image === "nginx:1.14.2")).toBe(true);
    await run("rollout", "undo", "deployment/nginx-deployment");
    await run("rollout", "status", "deployment/nginx-deployment", "--timeout=90s");
    items = await eventually(async () => {
      const list = await readyPods("app=nginx", 3);
      if (!list.every((p) => p.spec.containers[0]?.image === "nginx:1.7.9")) throw new Error("old image not back");
      return list;
    });
    expect(items).toHaveLength(3);
  });

  it("create deployment and describe it", async () => {
    expect(await run("create", "deployment", "hello", "--image=nginx:1.14.2")).toContain(
      "deployment.apps/hello created",
    );
    await readyPods("app=hello", 1);
    const d = await run("describe", "deployment", "hello");
    expect(d).toMatch(/Replicas:\s+1 desired \| 1 updated \| 1 total \| 1 available/);
  });

  it("create -f svc.yaml and rc.yaml (ReplicationController)", async () => {
    expect(await run("create", "-f", join(FIX, "svc.yaml"))).toContain("service/simpleservice created");
    expect(await run("create", "-f", join(FIX, "rc.yaml"))).toContain("replicationcontroller/rcsise created");
    await readyPods("app=sise", 2);
    expect(await run("get", "rc", "rcsise", "--no-headers")).toMatch(/rcsise\s+2\s+2\s+2/);
    expect(await run("get", "svc", "simpleservice", "--no-headers")).toMatch(/ClusterIP\s+10\.\S+\s+<none>\s+80\/TCP/);
  });
});

describe("course: secrets, volumes and limits", () => {
  it("create secret generic --from-literal, read by a pod through secretKeyRef", async () => {
    expect(await run("create", "secret", "generic", "mysql-db-secret", "--from-literal=password=test123")).toContain(
      "secret/mysql-db-secret created",
    );
    expect(await run("get", "secret", "mysql-db-secret", "--no-headers")).toMatch(/Opaque\s+1/);
    await run("apply", "-f", join(FIX, "pod-secret-env.yaml"));
    const logs = await eventually(async () => {
      const phase = await run("get", "pod", "secret-reader", "-o", "jsonpath={.status.phase}");
      if (phase !== "Succeeded") throw new Error(phase);
      return run("logs", "secret-reader");
    });
    expect(logs.trim()).toBe("password is test123");
    expect(await run("get", "pod", "secret-reader", "--no-headers")).toMatch(/0\/1\s+Completed/);
  });

  it("a missing secret key is CreateContainerConfigError", async () => {
    await run(
      "run",
      "needs-key",
      "--image=busybox",
      "--restart=Never",
      "--overrides",
      JSON.stringify({
        spec: {
          containers: [
            {
              name: "needs-key",
              image: "busybox",
              env: [{ name: "X", valueFrom: { secretKeyRef: { name: "mysql-db-secret", key: "nokey" } } }],
            },
          ],
        },
      }),
    );
    const out = await eventually(async () => {
      const o = await run("get", "pod", "needs-key", "--no-headers");
      if (!o.includes("CreateContainerConfigError")) throw new Error(o);
      return run("describe", "pod", "needs-key");
    });
    expect(out).toContain("couldn't find key nokey in Secret default/mysql-db-secret");
  });

  it("a PersistentVolumeClaim is bound to a provisioned volume and a pod uses it", async () => {
    await run("apply", "-f", join(FIX, "pvc-mysql.yaml"));
    const pvc = await eventually(async () => {
      const o = await run("get", "pvc", "mysql-pv-claim", "--no-headers");
      if (!o.includes("Bound")) throw new Error(o);
      return o;
    });
    expect(pvc).toMatch(/Bound\s+pvc-[0-9a-f-]+\s+2Gi\s+RWO\s+standard/);
    expect(await run("get", "pv", "--no-headers")).toContain("default/mysql-pv-claim");
    // The PersistentVolume is backed by a localcloud volume of its size.
    const pvName = /pvc-[0-9a-f-]+/.exec(pvc)?.[0] as string;
    const volume = () => env.cloud.lc.cloud.resources.listVolumes().find((v) => v.id === pvName);
    await eventually(async () => {
      if (!volume()) throw new Error(`no localcloud volume ${pvName}`);
    }, 15_000);
    expect(volume()).toMatchObject({ sizeGiB: 2, controlPlaneId: env.cluster.name });
    await run("apply", "-f", join(FIX, "pod-pvc.yaml"));
    await eventually(async () => {
      const o = await run("get", "pod", "mysql-with-volume", "--no-headers");
      if (!/1\/1\s+Running/.test(o)) throw new Error(o);
    });
    // Deleting the claim (reclaim policy Delete) deletes the volume.
    await run("delete", "pod", "mysql-with-volume");
    await run("delete", "pvc", "mysql-pv-claim");
    await eventually(async () => {
      if (volume()) throw new Error(`volume ${pvName} still exists`);
    }, 30_000);
  });

  it("MySQL with 128Mi is OOMKilled, then CrashLoopBackOff", async () => {
    await run("apply", "-f", join(FIX, "pod-mysql-oom.yaml"));
    const out = await eventually(async () => {
      const o = await run("get", "pod", "mysql-oom", "--no-headers");
      if (!o.includes("CrashLoopBackOff")) throw new Error(o);
      return run("describe", "pod", "mysql-oom");
    }, 60_000);
    expect(out).toMatch(/Last State:\s+Terminated\s+Reason:\s+OOMKilled\s+Exit Code:\s+137/);
  });

  it("an unavailable image is ErrImagePull / ImagePullBackOff", async () => {
    await run("run", "ghost", "--image=invalid.example/app:v1");
    const o = await eventually(async () => {
      const x = await run("get", "pod", "ghost", "--no-headers");
      if (!/ErrImagePull|ImagePullBackOff/.test(x)) throw new Error(x);
      return x;
    });
    expect(o).toContain("0/1");
  });
});

describe("course: namespaces", () => {
  it("deleting a namespace deletes what it holds", async () => {
    await run("create", "namespace", "course-tmp");
    await run("run", "tmp-nginx", "--image=nginx", "-n", "course-tmp");
    await eventually(async () => {
      const o = await run("get", "pod", "tmp-nginx", "-n", "course-tmp", "--no-headers");
      if (!o.includes("Running")) throw new Error(o);
    });
    await run("delete", "namespace", "course-tmp", "--timeout=90s");
    const r = await kubectl(kc, ["get", "namespace", "course-tmp"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('namespaces "course-tmp" not found');
  });
});
