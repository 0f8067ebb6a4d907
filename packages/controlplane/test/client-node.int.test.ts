// @kubernetes/client-node (what tenants' programs use) lists, watches and creates.
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "./cluster.ts";

let c: TestCluster;
let kc: k8s.KubeConfig;
beforeAll(async () => {
  c = await startTestCluster();
  kc = new k8s.KubeConfig();
  kc.loadFromFile((await c.kubeconfig("dev", ["system:masters"])).path);
});
afterAll(async () => {
  await c?.stop();
});

describe("@kubernetes/client-node", () => {
  it("creates, lists and watches", async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const seen: string[] = [];
    const watch = new k8s.Watch(kc);
    const list = await core.listNamespacedConfigMap({ namespace: "default" });
    const req = await watch.watch(
      "/api/v1/namespaces/default/configmaps",
      { resourceVersion: list.metadata?.resourceVersion },
      (type, obj) => seen.push(`${type} ${obj.metadata.name}`),
      () => {},
    );
    const created = await core.createNamespacedConfigMap({
      namespace: "default",
      body: { metadata: { name: "from-client-node" }, data: { a: "1" } },
    });
    expect(created.metadata?.uid).toBeTruthy();
    const after = await core.listNamespacedConfigMap({ namespace: "default" });
    expect(after.items.map((i) => i.metadata?.name)).toContain("from-client-node");
    for (let i = 0; i < 100 && !seen.includes("ADDED from-client-node"); i++)
      await new Promise((r) => setTimeout(r, 30));
    req.abort();
    expect(seen).toContain("ADDED from-client-node");
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const d = await apps.createNamespacedDeployment({
      namespace: "default",
      body: {
        metadata: { name: "cn" },
        spec: {
          selector: { matchLabels: { app: "cn" } },
          template: { metadata: { labels: { app: "cn" } }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } },
        },
      },
    });
    expect(d.spec?.strategy?.type).toBe("RollingUpdate");
    expect(d.spec?.revisionHistoryLimit).toBe(10);
  });
});
