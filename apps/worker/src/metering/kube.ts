// Per-namespace usage read from a tenant cluster: CPU and memory used (metrics.k8s.io PodMetrics), requested
// (pod specs of pods holding resources), storage of bound PVCs. One short-lived admin credential per cluster,
// reused while it is valid.
import { CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import type { Provider } from "@nuage/providers";
import { mebibytes, millicores } from "./quantity.ts";

interface Clients {
  core: CoreV1Api;
  custom: CustomObjectsApi;
  expires: number;
}

const cache = new Map<string, Clients>();
const TTL_SECONDS = 900;

async function clientsFor(provider: Provider, clusterId: string): Promise<Clients> {
  const hit = cache.get(clusterId);
  if (hit && hit.expires > Date.now()) return hit;
  const c = await provider.issueCredential(clusterId, {
    user: "nuage-metering",
    groups: ["system:masters"],
    ttlSeconds: TTL_SECONDS,
  });
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server: c.endpoint, caData: Buffer.from(c.caCertPem).toString("base64") }],
    users: [
      {
        name: "nuage-metering",
        certData: Buffer.from(c.clientCertPem).toString("base64"),
        keyData: Buffer.from(c.clientKeyPem).toString("base64"),
      },
    ],
    contexts: [{ name: "c", cluster: "c", user: "nuage-metering" }],
    currentContext: "c",
  });
  const clients = {
    core: kc.makeApiClient(CoreV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    // Renewed well before the certificate lapses.
    expires: Date.now() + (TTL_SECONDS - 120) * 1000,
  };
  cache.set(clusterId, clients);
  return clients;
}

export function forgetClients(clusterId: string): void {
  cache.delete(clusterId);
}

export interface NamespaceUsage {
  cpuUsageMillicores: number;
  cpuRequestMillicores: number;
  memoryUsageMiB: number;
  memoryRequestMiB: number;
  /** Bound claims: size in MiB and since when the claim exists (its bound time is not recorded by Kubernetes). */
  claims: { mib: number; since: Date | null }[];
}

/** What each namespace uses now. Throws when the cluster cannot be read (the window's namespace meters stay missing). */
export async function readNamespaceUsage(provider: Provider, clusterId: string): Promise<Map<string, NamespaceUsage>> {
  const k = await clientsFor(provider, clusterId);
  const out = new Map<string, NamespaceUsage>();
  const ns = (name: string) => {
    let u = out.get(name);
    if (!u) {
      u = { cpuUsageMillicores: 0, cpuRequestMillicores: 0, memoryUsageMiB: 0, memoryRequestMiB: 0, claims: [] };
      out.set(name, u);
    }
    return u;
  };
  let pods: Awaited<ReturnType<CoreV1Api["listPodForAllNamespaces"]>>;
  try {
    pods = await k.core.listPodForAllNamespaces();
  } catch (e) {
    forgetClients(clusterId);
    throw e;
  }
  const [metrics, claims] = await Promise.all([
    k.custom
      .listClusterCustomObject({ group: "metrics.k8s.io", version: "v1beta1", plural: "pods" })
      .catch(() => ({ items: [] })) as Promise<{
      items?: { metadata?: { namespace?: string }; containers?: { usage?: { cpu?: string; memory?: string } }[] }[];
    }>,
    k.core.listPersistentVolumeClaimForAllNamespaces(),
  ]);
  for (const p of pods.items) {
    const name = p.metadata?.namespace;
    // Requests hold capacity while the pod is scheduled and not finished.
    if (!name || !p.spec?.nodeName || p.status?.phase === "Succeeded" || p.status?.phase === "Failed") continue;
    const u = ns(name);
    for (const c of p.spec.containers ?? []) {
      u.cpuRequestMillicores += millicores(c.resources?.requests?.cpu);
      u.memoryRequestMiB += mebibytes(c.resources?.requests?.memory);
    }
  }
  for (const m of metrics.items ?? []) {
    const name = m.metadata?.namespace;
    if (!name) continue;
    const u = ns(name);
    for (const c of m.containers ?? []) {
      u.cpuUsageMillicores += millicores(c.usage?.cpu);
      u.memoryUsageMiB += mebibytes(c.usage?.memory);
    }
  }
  for (const c of claims.items) {
    const name = c.metadata?.namespace;
    if (!name || c.status?.phase !== "Bound") continue;
    const size = c.status.capacity?.storage ?? c.spec?.resources?.requests?.storage;
    ns(name).claims.push({ mib: mebibytes(size), since: c.metadata?.creationTimestamp ?? null });
  }
  return out;
}
