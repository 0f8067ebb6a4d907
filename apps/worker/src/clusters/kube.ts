// Talks to a tenant cluster with a short-lived admin credential (issued per use, never stored).
import {
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
  VersionApi,
} from "@kubernetes/client-node";
import { ROLE_BINDINGS } from "@nuage/core";
import type { Provider } from "@nuage/providers";

export interface KubeClients {
  core: CoreV1Api;
  rbac: RbacAuthorizationV1Api;
  version: VersionApi;
}

export async function adminClients(provider: Provider, clusterId: string): Promise<KubeClients> {
  const c = await provider.issueCredential(clusterId, {
    user: "nuage-platform",
    groups: ["system:masters"],
    ttlSeconds: 900,
  });
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server: c.endpoint, caData: Buffer.from(c.caCertPem).toString("base64") }],
    users: [
      {
        name: "nuage-platform",
        certData: Buffer.from(c.clientCertPem).toString("base64"),
        keyData: Buffer.from(c.clientKeyPem).toString("base64"),
      },
    ],
    contexts: [{ name: "c", cluster: "c", user: "nuage-platform" }],
    currentContext: "c",
  });
  return {
    core: kc.makeApiClient(CoreV1Api),
    rbac: kc.makeApiClient(RbacAuthorizationV1Api),
    version: kc.makeApiClient(VersionApi),
  };
}

/** The run's admin clients: one short-lived credential per operation run, not one per call. */
export async function kubeFor(ctx: { provider: Provider; cluster: { id: string }; kube?: KubeClients }) {
  ctx.kube ??= await adminClients(ctx.provider, ctx.cluster.id);
  return ctx.kube;
}

const status = (e: unknown): number | undefined => (e as { code?: number }).code;

/** One ClusterRoleBinding per org role group (nuage:owners → cluster-admin, …); idempotent. */
export async function ensureRoleBindings(k: KubeClients): Promise<number> {
  let created = 0;
  await Promise.all(
    ROLE_BINDINGS.map(async (b) => {
      const name = `nuage:${b.group.split(":")[1]}`;
      const body = {
        metadata: { name, labels: { "nuage.dev/managed": "true" } },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: b.clusterRole },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: b.group }],
      };
      try {
        await k.rbac.createClusterRoleBinding({ body });
        created++;
      } catch (e) {
        if (status(e) !== 409) throw e;
      }
    }),
  );
  return created;
}

export async function readyNodeNames(k: KubeClients): Promise<Set<string>> {
  const list = await k.core.listNode();
  const ready = new Set<string>();
  for (const n of list.items) {
    if (n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") && n.metadata?.name) {
      ready.add(n.metadata.name);
    }
  }
  return ready;
}

const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** Puts the pool's labels and taints on the node (merge patch; repeatable). */
export async function applyPoolToNode(
  k: KubeClients,
  node: string,
  labels: Record<string, string>,
  taints: { key: string; value?: string; effect: string }[],
  pool: string,
): Promise<void> {
  await k.core.patchNode(
    {
      name: node,
      body: {
        metadata: { labels: { ...labels, "nuage.dev/node-pool": pool } },
        ...(taints.length ? { spec: { taints } } : {}),
      },
    },
    merge,
  );
}

/** Cordons the node and evicts its pods (DaemonSet pods stay, as kubectl drain). */
export async function drainNode(k: KubeClients, node: string): Promise<number> {
  try {
    await k.core.patchNode({ name: node, body: { spec: { unschedulable: true } } }, merge);
  } catch (e) {
    if (status(e) === 404) return 0;
    throw e;
  }
  const pods = await k.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` });
  let evicted = 0;
  for (const p of pods.items) {
    if (p.metadata?.ownerReferences?.some((o) => o.kind === "DaemonSet")) continue;
    const name = p.metadata?.name;
    const namespace = p.metadata?.namespace;
    if (!name || !namespace) continue;
    try {
      await k.core.createNamespacedPodEviction({
        name,
        namespace,
        body: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace } },
      });
      evicted++;
    } catch (e) {
      if (status(e) === 404) continue;
      // No eviction subresource: delete the pod instead (what drain --disable-eviction does).
      try {
        await k.core.deleteNamespacedPod({ name, namespace });
        evicted++;
      } catch (e2) {
        if (status(e2) !== 404) throw e2;
      }
    }
  }
  return evicted;
}

export async function deleteNodeObject(k: KubeClients, node: string): Promise<void> {
  try {
    await k.core.deleteNode({ name: node });
  } catch (e) {
    if (status(e) !== 404) throw e;
  }
}
