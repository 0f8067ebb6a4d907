import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../client.ts";
import { R } from "../controllers/refs.ts";
import { createNode, eventually, patchRetry, startEnv } from "../controllers/testenv.ts";

let env: Awaited<ReturnType<typeof startEnv>>;
beforeAll(async () => {
  env = await startEnv({ controllers: [] });
  for (const n of ["s-1", "s-2", "s-3"]) await createNode(env.client, n);
});
afterAll(async () => {
  await env?.stop();
});

const pod = (name: string, spec: object): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default" },
  spec: { containers: [{ name: "c", image: "nginx" }], ...spec },
});

describe("scheduler", () => {
  it("reports an unschedulable pod like upstream, then binds it when a node fits", async () => {
    const c = env.client;
    await c.create(
      R.pods,
      pod("huge", { containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: "3" } } }] }),
    );
    const msg =
      "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.";
    const ev = await eventually(
      async () => {
        const evs = (await c.list<any>(R.events, { namespace: "default" })).items;
        return evs.find(
          (e) => e.reason === "FailedScheduling" && e.involvedObject.name === "huge" && e.message === msg,
        );
      },
      10_000,
      "FailedScheduling event",
    );
    expect(ev).toMatchObject({ type: "Warning", message: msg, source: { component: "default-scheduler" } });
    const p = await eventually(async () => {
      const p = await c.get<any>(R.pods, "default", "huge");
      return p.status?.conditions?.some((x: any) => x.type === "PodScheduled") ? p : undefined;
    }, 10_000);
    expect(p.status.conditions.find((x: any) => x.type === "PodScheduled")).toMatchObject({
      status: "False",
      reason: "Unschedulable",
      message: msg,
    });
    expect(p.spec.nodeName).toBeUndefined();
    // A bigger node arrives: the pod is retried and bound to it.
    const big = await c.create<KubeObject>(R.nodes, { apiVersion: "v1", kind: "Node", metadata: { name: "s-big" } });
    await c.update(
      R.nodes,
      {
        ...big,
        status: {
          allocatable: { cpu: "8", memory: "16Gi", pods: "110" },
          conditions: [{ type: "Ready", status: "True" }],
        },
      },
      { subresource: "status" },
    );
    await eventually(
      async () => (await c.get<any>(R.pods, "default", "huge")).spec.nodeName === "s-big",
      20_000,
      "binding to s-big",
    );
  });

  it("honours nodeSelector, required affinity and taints", async () => {
    const c = env.client;
    await patchRetry(c, R.nodes, undefined, "s-2", "merge", { metadata: { labels: { disk: "ssd", gen: "7" } } });
    await patchRetry(c, R.nodes, undefined, "s-3", "merge", {
      spec: { taints: [{ key: "dedicated", value: "db", effect: "NoSchedule" }] },
    });
    await c.create(R.pods, pod("sel", { nodeSelector: { disk: "ssd" } }));
    await c.create(
      R.pods,
      pod("aff", {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: "gen", operator: "Gt", values: ["5"] }] }],
            },
          },
        },
      }),
    );
    await c.create(
      R.pods,
      pod("tol", {
        nodeSelector: { "kubernetes.io/hostname": "s-3" },
        tolerations: [{ key: "dedicated", operator: "Equal", value: "db", effect: "NoSchedule" }],
      }),
    );
    await c.create(R.pods, pod("notol", { nodeSelector: { "kubernetes.io/hostname": "s-3" } }));
    const notolMsg =
      "0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: db}, 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.";
    await eventually(
      async () => {
        const get = async (n: string) => (await c.get<any>(R.pods, "default", n)).spec.nodeName;
        return (await get("sel")) === "s-2" && (await get("aff")) === "s-2" && (await get("tol")) === "s-3";
      },
      10_000,
      "pods bound by selector, affinity and toleration",
    );
    const ev = await eventually(
      async () => {
        const evs = (await c.list<any>(R.events, { namespace: "default" })).items;
        return evs.find(
          (e) => e.reason === "FailedScheduling" && e.involvedObject.name === "notol" && e.message === notolMsg,
        );
      },
      10_000,
      "FailedScheduling for notol",
    );
    expect(ev.type).toBe("Warning");
  });

  it("retries a pod waiting for room when a bound pod leaves, not one whose selector matches no node", async () => {
    const c = env.client;
    const failed = async (name: string) =>
      (await c.list<any>(R.events, { namespace: "default" })).items.find(
        (e) => e.reason === "FailedScheduling" && e.involvedObject.name === name,
      );
    // "huge" holds 3 of s-big's 8 CPUs: 6 fit nowhere until it goes.
    await c.create(R.pods, pod("nomatch", { nodeSelector: { zone: "nowhere" } }));
    await c.create(
      R.pods,
      pod("roomy", { containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: "6" } } }] }),
    );
    await eventually(async () => (await failed("nomatch")) && (await failed("roomy")), 10_000, "both unschedulable");
    await c.delete(R.pods, "default", "huge", { gracePeriodSeconds: 0 });
    await eventually(
      async () => (await c.get<any>(R.pods, "default", "roomy")).spec.nodeName === "s-big",
      10_000,
      "roomy bound once huge left",
    );
    // Past the 1 s backoff: the pod no node matches was not tried again for a deletion.
    await new Promise((r) => setTimeout(r, 2500));
    expect((await failed("nomatch")).count).toBe(1);
  });
});
