// Integration-test environment for the controllers: the real API server (C's createApiServer)
// on the real etcd under a random prefix, the controllers and the scheduler, Node objects, and a
// stand-in for the kubelet's status writes (pods Running/Ready with an IP, graceful deletions
// completed), as the brief allows while the node agent is built elsewhere.
import { randomBytes } from "node:crypto";
import { createApiServer } from "../apiserver/index.ts";
import type { Client, KubeObject, WatchHandle } from "../client.ts";
import { startScheduler } from "../scheduler/index.ts";
import { startControllers } from "./index.ts";
import { runningStatus } from "./kubesystem.ts";
import type { ControllerOptions } from "./options.ts";
import type { Pod } from "./podutil.ts";
import { clone, isConflict, isNotFound, nowIso, R } from "./refs.ts";

export async function startEnv(opts: Partial<ControllerOptions> = {}, withScheduler = true) {
  const prefix = `/nuage-test-ctrl-${randomBytes(6).toString("hex")}`;
  const server = createApiServer({
    etcdUrl: process.env.ETCD_URL ?? "http://127.0.0.1:23799",
    prefix,
    encryptionKeyBase64: randomBytes(32).toString("base64"),
  });
  await server.ready;
  const client = server.client;
  const log = process.env.NUAGE_TEST_CONTROLLER_LOG ? (m: string) => console.error(m) : undefined;
  const controllers = startControllers(client, { clusterName: "test", log, ...opts });
  const scheduler = withScheduler ? startScheduler(client, { log }) : undefined;
  const kubelets: WatchHandle[] = [];
  return {
    client,
    server,
    /** Acts as the kubelets of all nodes: bound pods become Running and Ready, deletions complete. */
    fakeKubelets(readyFor?: (pod: Pod) => boolean) {
      kubelets.push(fakeKubelet(client, readyFor));
    },
    async stop() {
      for (const k of kubelets) k.stop();
      await scheduler?.stop();
      await controllers.stop();
      await (server.store as unknown as { storage: { deletePrefix(): Promise<void> } }).storage
        .deletePrefix()
        .catch(() => {});
      await server.stop();
    },
  };
}

let ipCounter = 2;
export function fakeKubelet(client: Client, readyFor: (pod: Pod) => boolean = () => true): WatchHandle {
  const busy = new Set<string>();
  const again = new Map<string, Pod>(); // latest event seen while busy: handled right after
  const handle = async (p: Pod) => {
    const key = `${p.metadata.namespace}/${p.metadata.name}`;
    if (!p.spec?.nodeName) return;
    if (busy.has(key)) {
      again.set(key, p);
      return;
    }
    busy.add(key);
    try {
      if (p.metadata.deletionTimestamp) {
        await client.delete(R.pods, p.metadata.namespace, p.metadata.name!, { gracePeriodSeconds: 0 }).catch(() => {});
        return;
      }
      if (p.status?.phase === "Running" || !readyFor(p)) return;
      const cur = await client.get<Pod>(R.pods, p.metadata.namespace, p.metadata.name!);
      const upd = clone(cur);
      const now = nowIso();
      const ip = `10.244.${Math.floor(ipCounter / 250)}.${(ipCounter++ % 250) + 2}`;
      upd.status = { ...(upd.status ?? {}), ...runningStatus(cur, ip, now), hostIP: "192.168.0.10" };
      await client.update(R.pods, upd, { subresource: "status" });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    } finally {
      busy.delete(key);
      const next = again.get(key);
      again.delete(key);
      if (next) void handle(next).catch(() => {});
    }
  };
  return client.watch<Pod>(R.pods, {}, (ev) => {
    if (ev.type === "ADDED" || ev.type === "MODIFIED") void handle(ev.object).catch(() => {});
  });
}

export async function createNode(
  client: Client,
  name: string,
  o: { cpu?: string; memory?: string; labels?: Record<string, string>; taints?: unknown[] } = {},
) {
  const node = await client.create<KubeObject>(R.nodes, {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", ...(o.labels ?? {}) } },
    spec: o.taints ? { taints: o.taints } : {},
  });
  return setNodeReady(client, node, "True");
}

export async function setNodeReady(client: Client, node: KubeObject, status: "True" | "False") {
  const now = nowIso();
  for (let i = 0; ; i++) {
    const cur = await client.get<KubeObject>(R.nodes, undefined, node.metadata.name!);
    const upd = clone(cur);
    upd.status = {
      capacity: { cpu: "2", memory: "4Gi", pods: "110" },
      allocatable: { cpu: "2", memory: "4Gi", pods: "110" },
      ...((cur.status as object) ?? {}),
      conditions: [
        {
          type: "Ready",
          status,
          reason: status === "True" ? "KubeletReady" : "KubeletNotReady",
          message: status === "True" ? "kubelet is posting ready status" : "container runtime is down",
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
      ],
      addresses: [{ type: "InternalIP", address: `192.168.0.${(i % 200) + 10}` }],
    };
    try {
      return await client.update(R.nodes, upd, { subresource: "status" });
    } catch (err) {
      if (!isConflict(err) || i > 5) throw err;
    }
  }
}

export async function eventually<T>(
  fn: () => Promise<T | undefined | false>,
  ms = 20_000,
  what = "condition",
): Promise<T> {
  const start = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() - start > ms)
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const deployment = (ns: string, name: string, replicas: number, image = "nginx:1.27", extra: object = {}) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: ns },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: "main", image, resources: { requests: { cpu: "100m", memory: "64Mi" } } }] },
    },
    ...extra,
  },
});

/** A user's patch, retried on 409 like kubectl's client does when the server reports a conflict. */
export async function patchRetry(
  client: Client,
  ref: Parameters<Client["patch"]>[0],
  ns: string | undefined,
  name: string,
  type: "merge" | "strategic",
  body: unknown,
) {
  for (let i = 0; ; i++) {
    try {
      return await client.patch(ref, ns, name, type, body);
    } catch (err) {
      if (!isConflict(err) || i > 10) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
