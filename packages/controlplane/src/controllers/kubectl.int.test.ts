import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "../../test/cluster.ts";
import type { WatchHandle } from "../client.ts";
import { createNode, eventually, fakeKubelet } from "./testenv.ts";

// What a tenant sees with the real kubectl against a whole control plane (HTTPS API server,
// controllers, scheduler), with Node objects and the kubelets' status writes stood in for.

let cl: TestCluster;
let kubelet: WatchHandle;
beforeAll(async () => {
  cl = await startTestCluster({ controllers: true });
  for (const n of ["k-1", "k-2"]) await createNode(cl.cp.api.client, n);
  kubelet = fakeKubelet(cl.cp.api.client);
});
afterAll(async () => {
  kubelet?.stop();
  await cl?.stop();
});

const k = async (...args: string[]) => {
  const r = await cl.kubectl(args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
};

describe("kubectl against the controllers", () => {
  it("create deployment, rollout status, scale, describe events", async () => {
    await k("create", "deployment", "web", "--image=nginx:1.27", "--replicas=2");
    const status = await k("rollout", "status", "deployment/web", "--timeout=60s");
    expect(status).toContain('deployment "web" successfully rolled out');
    await k("scale", "deployment/web", "--replicas=3");
    await eventually(
      async () => (await k("get", "deployment", "web", "-o", "jsonpath={.status.availableReplicas}")) === "3",
      20_000,
    );
    const out = await k("get", "deployment", "web");
    expect(out).toMatch(/web\s+3\/3\s+3\s+3\s+/);
    const desc = await k("describe", "deployment", "web");
    expect(desc).toMatch(/Events:/);
    expect(desc).toMatch(/ScalingReplicaSet\s+.*Scaled up replica set web-[a-z0-9]+ from 0 to 2/);
    expect(desc).toMatch(/Available\s+True\s+MinimumReplicasAvailable/);
    expect(desc).toMatch(/Progressing\s+True\s+NewReplicaSetAvailable/);
  });

  it("rollout restart, history and undo", async () => {
    await k("set", "image", "deployment/web", "nginx=nginx:1.28");
    await k("rollout", "status", "deployment/web", "--timeout=60s");
    await k("rollout", "restart", "deployment/web");
    await k("rollout", "status", "deployment/web", "--timeout=60s");
    const hist = await k("rollout", "history", "deployment/web");
    expect(hist).toMatch(/REVISION\s+CHANGE-CAUSE/);
    const revs = hist
      .split("\n")
      .map((l) => l.trim().split(/\s+/)[0] ?? "")
      .filter((x) => /^\d+$/.test(x));
    expect(revs).toEqual(["1", "2", "3"]);
    await k("rollout", "undo", "deployment/web", "--to-revision=1");
    await k("rollout", "status", "deployment/web", "--timeout=60s");
    const image = await k("get", "deployment", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}");
    expect(image).toBe("nginx:1.27");
    const rev = await k(
      "get",
      "deployment",
      "web",
      "-o",
      "jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}",
    );
    expect(rev).toBe("4");
    const rs = await k("get", "rs", "-l", "app=web", "-o", "jsonpath={range .items[*]}{.spec.replicas}{' '}{end}");
    expect(rs.trim().split(" ").map(Number).sort()).toEqual([0, 0, 3]);
  });

  it("lists the control plane in kube-system", async () => {
    const out = await eventually(
      async () => {
        const o = await k("get", "pods", "-n", "kube-system");
        return /coredns-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running/.test(o) &&
          /kube-proxy-[a-z0-9]{5}\s+1\/1\s+Running/.test(o)
          ? o
          : undefined;
      },
      30_000,
      "kube-system pods running",
    ).catch(async (err) => {
      console.error(await k("get", "pods", "-n", "kube-system", "-o", "wide"));
      throw err;
    });
    for (const c of ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]) {
      expect(out).toMatch(new RegExp(`${c}-test-[a-z0-9]+-control-plane\\s+1/1\\s+Running`));
    }
    const svc = await k("get", "svc", "-n", "kube-system", "kube-dns");
    expect(svc).toContain("10.96.0.10");
  });
});
