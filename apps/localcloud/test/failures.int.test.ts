// Failures like upstream on a localcloud cluster: MySQL with a 128Mi limit is OOMKilled then in
// CrashLoopBackOff; a stopped VM makes its node NotReady and, after the pods' tolerationSeconds
// (shortened here through NUAGE_CONTROLLER_OPTIONS), its pods are evicted and replaced elsewhere;
// a pod that fits nowhere says why in its events.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, k, startTestCluster, watchLines } from "./helpers.ts";

process.env.NUAGE_CONTROLLER_OPTIONS = JSON.stringify({
  podEvictionTimeoutSeconds: 5,
  nodeMonitorGracePeriodSeconds: 15,
});

let env: Awaited<ReturnType<typeof startTestCluster>>;
let kc: string;
beforeAll(async () => {
  env = await startTestCluster(3);
  kc = env.cluster.kubeconfigPath;
}, 150_000);
afterAll(async () => {
  await env?.close();
  delete process.env.NUAGE_CONTROLLER_OPTIONS;
});

const json = async (args: string[]) => JSON.parse(await k(kc, [...args, "-o", "json"]));

describe("failures", () => {
  it("MySQL with a 128Mi memory limit is OOMKilled, then CrashLoopBackOff", async () => {
    const manifest = `apiVersion: v1
kind: Pod
metadata:
  name: mysql
spec:
  containers:
  - name: mysql
    image: mysql:8.4
    env:
    - name: MYSQL_ROOT_PASSWORD
      value: example
    resources:
      requests:
        memory: "64Mi"
        cpu: "250m"
      limits:
        memory: "128Mi"
        cpu: "500m"
`;
    // As the course does it: `kubectl get pods -w` shows OOMKilled, then CrashLoopBackOff.
    // (Watched from right after the apply: the pod takes seconds to pull, start and outgrow 128Mi.)
    await k(kc, ["apply", "-f", "-"], { input: manifest });
    const lines = await watchLines(
      kc,
      ["get", "pod", "mysql", "--no-headers"],
      (line) => line.split(/\s+/)[2] === "CrashLoopBackOff",
    );
    const statuses = lines.map((line) => line.split(/\s+/)[2]);
    expect(statuses).toContain("OOMKilled");
    expect(statuses.indexOf("OOMKilled")).toBeLessThan(statuses.indexOf("CrashLoopBackOff"));
    const pod = await json(["get", "pod", "mysql"]);
    const cs = pod.status.containerStatuses[0];
    expect(cs.lastState.terminated.reason).toBe("OOMKilled");
    expect(cs.lastState.terminated.exitCode).toBe(137);
    expect(cs.restartCount).toBeGreaterThanOrEqual(1);
    const events = await k(kc, ["get", "events", "--field-selector", "involvedObject.name=mysql"]);
    expect(events).toContain("Back-off restarting failed container mysql");
    await k(kc, ["delete", "pod", "mysql", "--wait=false"]);
  }, 90_000);

  it("a pod that fits nowhere explains why in its events", async () => {
    await k(kc, [
      "run",
      "huge",
      "--image=nginx",
      "--overrides",
      '{"spec":{"containers":[{"name":"huge","image":"nginx","resources":{"requests":{"cpu":"64"}}}]}}',
    ]);
    await eventually(async () => {
      const events = await k(kc, ["get", "events", "--field-selector", "involvedObject.name=huge"]);
      expect(events).toContain("FailedScheduling");
      expect(events).toMatch(/0\/3 nodes are available: 3 Insufficient cpu/);
    }, 30_000);
    expect(await k(kc, ["get", "pod", "huge", "--no-headers"])).toMatch(/huge\s+0\/1\s+Pending/);
    await k(kc, ["delete", "pod", "huge", "--wait=false"]);
  });

  it("a stopped VM makes its node NotReady and its pods move to the other nodes", async () => {
    await k(kc, ["create", "deployment", "web", "--image=nginx:1.27", "--replicas=3"]);
    await k(kc, ["rollout", "status", "deploy/web", "--timeout=60s"]);
    const pods = await json(["get", "pods", "-l", "app=web"]);
    const node: string = pods.items[0].spec.nodeName;
    const vm = env.cluster.vms.find((v) => v.name === node);
    expect(vm).toBeTruthy();
    await env.cloud.lc.cloud.vmAction(vm!.id, "stop");
    await eventually(async () => {
      expect(await k(kc, ["get", "node", node, "--no-headers"])).toMatch(/NotReady/);
    }, 60_000);
    const n = await json(["get", "node", node]);
    expect(n.spec.taints.map((t: { key: string }) => t.key)).toContain("node.kubernetes.io/not-ready");
    await eventually(
      async () => {
        const now = await json(["get", "pods", "-l", "app=web"]);
        const live = now.items.filter((p: any) => !p.metadata.deletionTimestamp);
        expect(live).toHaveLength(3);
        for (const p of live) {
          expect(p.spec.nodeName).not.toBe(node);
          expect(p.status.phase).toBe("Running");
        }
      },
      60_000,
      1000,
    );
    const events = await k(kc, ["get", "events", "--field-selector", "reason=TaintManagerEviction"]);
    expect(events).toContain("Marking for deletion Pod default/web-");
    await env.cloud.lc.cloud.vmAction(vm!.id, "start");
    await eventually(async () => {
      expect(await k(kc, ["get", "node", node, "--no-headers"])).toMatch(/\sReady/);
    }, 60_000);
  }, 180_000);
});
