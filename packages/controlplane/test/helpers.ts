import { randomBytes } from "node:crypto";
import { createApiServer } from "../src/apiserver/index.ts";

export const ETCD_URL = process.env.ETCD_URL ?? "http://127.0.0.1:23799";

export function randomPrefix(): string {
  return `/nuage-test-${randomBytes(6).toString("hex")}`;
}

export async function startLoopback(extra: Record<string, unknown> = {}) {
  const prefix = randomPrefix();
  const server = createApiServer({
    etcdUrl: ETCD_URL,
    prefix,
    encryptionKeyBase64: randomBytes(32).toString("base64"),
    ...extra,
  });
  await server.ready;
  return {
    server,
    prefix,
    async cleanup() {
      await server.store.storage.deletePrefix();
      await server.stop();
    },
  };
}

export const R = {
  pods: { group: "", version: "v1", resource: "pods" },
  nodes: { group: "", version: "v1", resource: "nodes" },
  namespaces: { group: "", version: "v1", resource: "namespaces" },
  configmaps: { group: "", version: "v1", resource: "configmaps" },
  secrets: { group: "", version: "v1", resource: "secrets" },
  services: { group: "", version: "v1", resource: "services" },
  deployments: { group: "apps", version: "v1", resource: "deployments" },
  resourcequotas: { group: "", version: "v1", resource: "resourcequotas" },
  limitranges: { group: "", version: "v1", resource: "limitranges" },
};

export function waitFor<T>(fn: () => T | undefined, ms = 5000): Promise<T> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      const v = fn();
      if (v !== undefined) return resolve(v);
      if (Date.now() - start > ms) return reject(new Error("timed out"));
      setTimeout(tick, 20);
    };
    tick();
  });
}
