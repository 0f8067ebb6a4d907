import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../client.ts";
import type { Pod } from "./podutil.ts";
import { R } from "./refs.ts";
import { createNode, deployment, eventually, patchRetry, startEnv } from "./testenv.ts";

let env: Awaited<ReturnType<typeof startEnv>>;
const ns = "default";

beforeAll(async () => {
  env = await startEnv();
  for (const n of ["node-a", "node-b", "node-c"]) await createNode(env.client, n);
  // Pods of images tagged "stuck" never become ready (to reach the progress deadline).
  env.fakeKubelets((p) => !JSON.stringify(p.spec?.containers ?? []).includes(":stuck"));
});
afterAll(async () => {
  await env?.stop();
});

const podsOf = async (app: string) =>
  (await env.client.list<Pod>(R.pods, { namespace: ns, labelSelector: `app=${app}` })).items;

describe("deployment controller, replicaset controller and scheduler", () => {
  it("creates a ReplicaSet and 3 pods bound across the nodes, and reports availability", async () => {
    const c = env.client;
    await c.create(R.deployments, deployment(ns, "web", 3) as KubeObject);
    const d = await eventually(
      async () => {
        const d = await c.get<any>(R.deployments, ns, "web");
        return d.status?.availableReplicas === 3 && d.status.observedGeneration === d.metadata.generation
          ? d
          : undefined;
      },
      30_000,
      "3 available replicas",
    );
    expect(d.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("1");
    expect(d.status.updatedReplicas).toBe(3);
    expect(d.status.readyReplicas).toBe(3);
    const cond = Object.fromEntries(d.status.conditions.map((x: any) => [x.type, x]));
    expect(cond.Available).toMatchObject({ status: "True", reason: "MinimumReplicasAvailable" });
    expect(cond.Progressing).toMatchObject({ status: "True", reason: "NewReplicaSetAvailable" });

    const rss = (await c.list<any>(R.replicasets, { namespace: ns })).items.filter((r) =>
      r.metadata.name.startsWith("web-"),
    );
    expect(rss).toHaveLength(1);
    const rs = rss[0];
    const hash = rs.metadata.labels["pod-template-hash"];
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(rs.spec.selector.matchLabels["pod-template-hash"]).toBe(hash);
    expect(rs.metadata.ownerReferences[0]).toMatchObject({ kind: "Deployment", name: "web", controller: true });
    expect(rs.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, fullyLabeledReplicas: 3 });

    const pods = await podsOf("web");
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      expect(p.metadata.name).toMatch(new RegExp(`^web-${hash}-[a-z0-9]{5}$`));
      expect(p.spec?.nodeName).toMatch(/^node-[abc]$/);
    }
    // least-allocated scoring spreads identical pods over the three empty nodes
    expect(new Set(pods.map((p) => p.spec?.nodeName)).size).toBe(3);

    const events = (await c.list<any>(R.events, { namespace: ns })).items;
    expect(
      events.some(
        (e) => e.reason === "ScalingReplicaSet" && e.message === `Scaled up replica set web-${hash} from 0 to 3`,
      ),
    ).toBe(true);
    expect(events.some((e) => e.reason === "SuccessfulCreate" && e.involvedObject.name === `web-${hash}`)).toBe(true);
    expect(events.some((e) => e.reason === "Scheduled" && /^Successfully assigned default\/web-/.test(e.message))).toBe(
      true,
    );
  });

  it("replaces a deleted pod (self-healing) and follows kubectl scale", async () => {
    const c = env.client;
    const [victim] = await podsOf("web");
    await c.delete(R.pods, ns, victim!.metadata.name!);
    await eventually(
      async () => {
        const pods = (await podsOf("web")).filter(
          (p) => !p.metadata.deletionTimestamp && p.status?.phase === "Running",
        );
        return pods.length === 3 && !pods.some((p) => p.metadata.uid === victim!.metadata.uid);
      },
      20_000,
      "a replacement pod",
    );
    await patchRetry(c, R.deployments, ns, "web", "merge", { spec: { replicas: 5 } });
    await eventually(
      async () => (await c.get<any>(R.deployments, ns, "web")).status?.availableReplicas === 5,
      20_000,
      "5 replicas",
    );
    await patchRetry(c, R.deployments, ns, "web", "merge", { spec: { replicas: 3 } });
    await eventually(
      async () => {
        const d = await c.get<any>(R.deployments, ns, "web");
        return d.status?.replicas === 3 && (await podsOf("web")).length === 3;
      },
      20_000,
      "scale down to 3",
    );
  });

  it("rolls out a new template within maxSurge/maxUnavailable and records revisions", async () => {
    const c = env.client;
    await patchRetry(c, R.deployments, ns, "web", "merge", {
      spec: {
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: { metadata: { annotations: { "kubernetes.io/change-cause": "image 1.28" } } },
      },
    });
    // Observe every pod event during the rollout: never more than 4 pods, never fewer than 3 ready.
    let maxPods = 0;
    let minReady = 3;
    const seen = new Map<string, Pod>();
    const w = c.watch<Pod>(R.pods, { namespace: ns, labelSelector: "app=web" }, (ev) => {
      if (ev.type === "DELETED") seen.delete(ev.object.metadata.name!);
      else seen.set(ev.object.metadata.name!, ev.object);
      const live = [...seen.values()].filter((p) => !p.metadata.deletionTimestamp);
      maxPods = Math.max(maxPods, live.length);
      const ready = live.filter((p) => p.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True"));
      if (seen.size >= 3) minReady = Math.min(minReady, ready.length);
    });
    for (const p of await podsOf("web")) seen.set(p.metadata.name!, p);
    const d = await eventually(
      async () => {
        const d = await c.get<any>(R.deployments, ns, "web");
        const done =
          d.metadata.annotations["deployment.kubernetes.io/revision"] === "2" &&
          d.status?.updatedReplicas === 3 &&
          d.status?.replicas === 3 &&
          d.status?.availableReplicas === 3 &&
          d.status?.conditions?.some((x: any) => x.type === "Progressing" && x.reason === "NewReplicaSetAvailable");
        return done ? d : undefined;
      },
      40_000,
      "rollout to revision 2",
    );
    w.stop();
    expect(maxPods).toBeLessThanOrEqual(4);
    expect(minReady).toBeGreaterThanOrEqual(3);
    const rss = (await c.list<any>(R.replicasets, { namespace: ns })).items.filter(
      (r) => r.metadata.ownerReferences?.[0]?.uid === d.metadata.uid,
    );
    expect(
      rss.map((r) => [r.metadata.annotations["deployment.kubernetes.io/revision"], r.spec.replicas]).sort(),
    ).toEqual([
      ["1", 0],
      ["2", 3],
    ]);
    const newRs = rss.find((r) => r.spec.replicas === 3);
    expect(newRs.metadata.annotations["deployment.kubernetes.io/desired-replicas"]).toBe("3");
    expect(newRs.metadata.annotations["deployment.kubernetes.io/max-replicas"]).toBe("4");
  });

  it("runs a Recreate rollout and keeps revisionHistoryLimit", async () => {
    const c = env.client;
    await c.create(
      R.deployments,
      deployment(ns, "batch", 2, "busybox:1", {
        strategy: { type: "Recreate" },
        revisionHistoryLimit: 1,
      }) as KubeObject,
    );
    await eventually(
      async () => (await c.get<any>(R.deployments, ns, "batch")).status?.availableReplicas === 2,
      20_000,
    );
    for (const tag of ["2", "3"]) {
      await patchRetry(c, R.deployments, ns, "batch", "strategic", {
        spec: { template: { spec: { containers: [{ name: "main", image: `busybox:${tag}` }] } } },
      });
      await eventually(
        async () => {
          const pods = await podsOf("batch");
          const d = await c.get<any>(R.deployments, ns, "batch");
          return (
            d.status?.updatedReplicas === 2 &&
            d.status?.availableReplicas === 2 &&
            pods.length === 2 &&
            pods.every((p) => (p.spec as any).containers[0].image === `busybox:${tag}`)
          );
        },
        30_000,
        `recreate to busybox:${tag}`,
      );
    }
    await eventually(
      async () => {
        const rss = (await c.list<any>(R.replicasets, { namespace: ns })).items.filter((r) =>
          r.metadata.name.startsWith("batch-"),
        );
        return (
          rss.length === 2 &&
          rss
            .map((r) => r.metadata.annotations["deployment.kubernetes.io/revision"])
            .sort()
            .join() === "2,3"
        );
      },
      20_000,
      "history limited to one old ReplicaSet",
    );
  });

  it("reports ProgressDeadlineExceeded when new pods never become available", async () => {
    const c = env.client;
    await c.create(R.deployments, deployment(ns, "slow", 1, "nginx:1", { progressDeadlineSeconds: 2 }) as KubeObject);
    await eventually(async () => (await c.get<any>(R.deployments, ns, "slow")).status?.availableReplicas === 1, 20_000);
    await patchRetry(c, R.deployments, ns, "slow", "strategic", {
      spec: { template: { spec: { containers: [{ name: "main", image: "nginx:stuck" }] } } },
    });
    const d = await eventually(
      async () => {
        const d = await c.get<any>(R.deployments, ns, "slow");
        const p = d.status?.conditions?.find((x: any) => x.type === "Progressing");
        return p?.reason === "ProgressDeadlineExceeded" ? d : undefined;
      },
      20_000,
      "ProgressDeadlineExceeded",
    );
    const p = d.status.conditions.find((x: any) => x.type === "Progressing");
    expect(p.status).toBe("False");
    expect(p.message).toMatch(/^ReplicaSet "slow-[a-z0-9]+" has timed out progressing\.$/);
    // maxUnavailable 25% of 1 rounds down to 0: the old pod stays available
    expect(d.status.availableReplicas).toBe(1);
  });

  it("does not roll out a paused deployment until it is resumed", async () => {
    const c = env.client;
    await c.create(R.deployments, deployment(ns, "paused", 2) as KubeObject);
    await eventually(
      async () => (await c.get<any>(R.deployments, ns, "paused")).status?.availableReplicas === 2,
      20_000,
    );
    await patchRetry(c, R.deployments, ns, "paused", "merge", { spec: { paused: true } });
    await patchRetry(c, R.deployments, ns, "paused", "strategic", {
      spec: { template: { spec: { containers: [{ name: "main", image: "nginx:2" }] } } },
    });
    const d = await eventually(
      async () => {
        const d = await c.get<any>(R.deployments, ns, "paused");
        return d.status?.conditions?.some((x: any) => x.reason === "DeploymentPaused") ? d : undefined;
      },
      10_000,
      "DeploymentPaused",
    );
    expect(d.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("1");
    const rss = async () =>
      (await c.list<any>(R.replicasets, { namespace: ns })).items.filter((r) => r.metadata.name.startsWith("paused-"));
    expect(await rss()).toHaveLength(1);
    await patchRetry(c, R.deployments, ns, "paused", "merge", { spec: { paused: false } });
    await eventually(
      async () => {
        const d = await c.get<any>(R.deployments, ns, "paused");
        return (
          d.metadata.annotations["deployment.kubernetes.io/revision"] === "2" &&
          d.status?.updatedReplicas === 2 &&
          d.status?.availableReplicas === 2
        );
      },
      20_000,
      "rollout after resume",
    );
    expect(await rss()).toHaveLength(2);
  });

  it("runs ReplicationControllers and adopts matching orphan pods", async () => {
    const c = env.client;
    await c.create(R.pods, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "orphan-1", namespace: ns, labels: { app: "legacy" } },
      spec: { containers: [{ name: "c", image: "nginx" }] },
    });
    await eventually(async () => (await c.get<Pod>(R.pods, ns, "orphan-1")).status?.phase === "Running", 10_000);
    await c.create(R.replicationcontrollers, {
      apiVersion: "v1",
      kind: "ReplicationController",
      metadata: { name: "legacy", namespace: ns },
      spec: {
        replicas: 2,
        selector: { app: "legacy" },
        template: { metadata: { labels: { app: "legacy" } }, spec: { containers: [{ name: "c", image: "nginx" }] } },
      },
    });
    const rc = await eventually(
      async () => {
        const rc = await c.get<any>(R.replicationcontrollers, ns, "legacy");
        return rc.status?.readyReplicas === 2 && rc.status.replicas === 2 ? rc : undefined;
      },
      20_000,
      "RC ready",
    ).catch(async (err) => {
      console.error(
        JSON.stringify(await c.get<any>(R.replicationcontrollers, ns, "legacy")),
        JSON.stringify(await podsOf("legacy")),
      );
      throw err;
    });
    expect(rc.status).toMatchObject({ replicas: 2, fullyLabeledReplicas: 2, availableReplicas: 2 });
    const pods = await podsOf("legacy");
    expect(pods).toHaveLength(2);
    const orphan = pods.find((p) => p.metadata.name === "orphan-1");
    expect(orphan?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: "ReplicationController",
      name: "legacy",
      controller: true,
    });
  });
});
