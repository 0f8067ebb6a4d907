// Objects every cluster has from the start: the initial namespaces, the `kubernetes` Service,
// default ServiceAccounts, and the bootstrap RBAC policy. Idempotent: existing objects are kept.

import { INITIAL_NAMESPACES } from "../admission/lifecycle.ts";
import { DEFAULT_CLUSTER_ROLE_BINDINGS, DEFAULT_CLUSTER_ROLES } from "../auth/policy.ts";
import type { KubeObject } from "../client.ts";
import { loopbackContext } from "./context.ts";
import { ApiError } from "./errors.ts";
import { findResource, type ResourceDef } from "./registry.ts";
import type { Store } from "./store.ts";

const def = (g: string, r: string) => findResource(g, "v1", r)!;

async function ensure(store: Store, d: ResourceDef, obj: KubeObject): Promise<void> {
  if (await store.storage.get(d, obj.metadata.namespace, obj.metadata.name!)) return;
  try {
    await store.create(loopbackContext(), d, obj, obj.metadata.namespace);
  } catch (e) {
    if (!(e instanceof ApiError && e.reason === "AlreadyExists")) throw e;
  }
}

export async function ensureDefaultServiceAccount(store: Store, namespace: string): Promise<void> {
  await ensure(store, def("", "serviceaccounts"), {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "default", namespace },
  });
}

export async function bootstrap(store: Store, kubernetesServiceIp: string): Promise<void> {
  for (const name of INITIAL_NAMESPACES) {
    await ensure(store, def("", "namespaces"), { apiVersion: "v1", kind: "Namespace", metadata: { name } });
    await ensureDefaultServiceAccount(store, name);
  }
  for (const r of DEFAULT_CLUSTER_ROLES) await ensure(store, def("rbac.authorization.k8s.io", "clusterroles"), r);
  for (const b of DEFAULT_CLUSTER_ROLE_BINDINGS)
    await ensure(store, def("rbac.authorization.k8s.io", "clusterrolebindings"), b);
  await ensure(store, def("", "services"), {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "kubernetes", namespace: "default", labels: { component: "apiserver", provider: "kubernetes" } },
    spec: {
      clusterIP: kubernetesServiceIp,
      ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }],
      type: "ClusterIP",
    },
  } as KubeObject);
}
