// Minimal reads of a tenant cluster from the API side (live quota usage): HTTPS with a short-lived
// platform credential from the provider, cached in memory for a few minutes (never stored).
import { request } from "node:https";
import { getProvider } from "@nuage/providers";

interface Cred {
  endpoint: string;
  ca: string;
  cert: string;
  key: string;
  until: number;
}
const cache = new Map<string, Cred>();

async function credFor(clusterId: string): Promise<Cred> {
  const c = cache.get(clusterId);
  if (c && c.until > Date.now()) return c;
  const issued = await getProvider().issueCredential(clusterId, {
    user: "nuage-platform-reader",
    groups: ["system:masters"],
    ttlSeconds: 900,
  });
  const cred = {
    endpoint: issued.endpoint,
    ca: issued.caCertPem,
    cert: issued.clientCertPem,
    key: issued.clientKeyPem,
    until: Date.now() + 600_000,
  };
  cache.set(clusterId, cred);
  return cred;
}

export async function kubeGet<T>(clusterId: string, path: string): Promise<T | null> {
  const cred = await credFor(clusterId);
  const url = new URL(path, cred.endpoint);
  return new Promise<T | null>((resolve, reject) => {
    const req = request(
      url,
      {
        method: "GET",
        ca: cred.ca,
        cert: cred.cert,
        key: cred.key,
        timeout: 5000,
        headers: { accept: "application/json" },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (d: Buffer) => chunks.push(d));
        res.on("end", () => {
          if (res.statusCode === 404) return resolve(null);
          if (res.statusCode === 401) cache.delete(clusterId);
          if (!res.statusCode || res.statusCode >= 300) return reject(new Error(`HTTP ${res.statusCode}`));
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")) as T);
          } catch (e) {
            reject(e);
          }
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

export const QUOTA_OBJECT = "nuage-quota";
export const LIMITS_OBJECT = "nuage-limits";

export async function readQuotaStatus(clusterId: string, namespace: string) {
  const q = await kubeGet<{ status?: { hard?: Record<string, string>; used?: Record<string, string> } }>(
    clusterId,
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/resourcequotas/${QUOTA_OBJECT}`,
  );
  return q?.status ?? null;
}
