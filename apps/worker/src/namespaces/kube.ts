// Admin clients per tenant cluster for the namespace sync: one short-lived platform credential
// (15 min) per cluster, reused for 10 minutes, dropped on 401. Never stored.
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { getProvider } from "@nuage/providers";

export interface NsKube {
  core: CoreV1Api;
  rbac: RbacAuthorizationV1Api;
}

const cache = new Map<string, { k: NsKube; until: number }>();

export async function kubeForCluster(clusterId: string): Promise<NsKube> {
  const hit = cache.get(clusterId);
  if (hit && hit.until > Date.now()) return hit.k;
  const c = await getProvider().issueCredential(clusterId, {
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
  const k = { core: kc.makeApiClient(CoreV1Api), rbac: kc.makeApiClient(RbacAuthorizationV1Api) };
  cache.set(clusterId, { k, until: Date.now() + 600_000 });
  return k;
}

export function forgetCluster(clusterId: string) {
  cache.delete(clusterId);
}

export const statusOf = (e: unknown): number | undefined => (e as { code?: number }).code;

/** The Kubernetes message of an API error (its Status body), or the error's own message. */
export function kubeMessage(e: unknown): string {
  const body = (e as { body?: unknown }).body;
  if (typeof body === "string") {
    try {
      const m = (JSON.parse(body) as { message?: string }).message;
      if (m) return m;
    } catch {}
  }
  return (e as Error).message ?? String(e);
}
