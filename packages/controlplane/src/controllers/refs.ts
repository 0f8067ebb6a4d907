import type { KubeObject, ObjectMeta, ResourceRef } from "../client.ts";

// Resource refs used by the controllers and the scheduler.
export const R = {
  pods: { group: "", version: "v1", resource: "pods" },
  nodes: { group: "", version: "v1", resource: "nodes" },
  namespaces: { group: "", version: "v1", resource: "namespaces" },
  services: { group: "", version: "v1", resource: "services" },
  endpoints: { group: "", version: "v1", resource: "endpoints" },
  events: { group: "", version: "v1", resource: "events" },
  configmaps: { group: "", version: "v1", resource: "configmaps" },
  secrets: { group: "", version: "v1", resource: "secrets" },
  serviceaccounts: { group: "", version: "v1", resource: "serviceaccounts" },
  replicationcontrollers: { group: "", version: "v1", resource: "replicationcontrollers" },
  resourcequotas: { group: "", version: "v1", resource: "resourcequotas" },
  persistentvolumes: { group: "", version: "v1", resource: "persistentvolumes" },
  persistentvolumeclaims: { group: "", version: "v1", resource: "persistentvolumeclaims" },
  deployments: { group: "apps", version: "v1", resource: "deployments" },
  replicasets: { group: "apps", version: "v1", resource: "replicasets" },
  endpointslices: { group: "discovery.k8s.io", version: "v1", resource: "endpointslices" },
  leases: { group: "coordination.k8s.io", version: "v1", resource: "leases" },
  csrs: { group: "certificates.k8s.io", version: "v1", resource: "certificatesigningrequests" },
  storageclasses: { group: "storage.k8s.io", version: "v1", resource: "storageclasses" },
  daemonsets: { group: "apps", version: "v1", resource: "daemonsets" },
  statefulsets: { group: "apps", version: "v1", resource: "statefulsets" },
  controllerrevisions: { group: "apps", version: "v1", resource: "controllerrevisions" },
  jobs: { group: "batch", version: "v1", resource: "jobs" },
  cronjobs: { group: "batch", version: "v1", resource: "cronjobs" },
  poddisruptionbudgets: { group: "policy", version: "v1", resource: "poddisruptionbudgets" },
  horizontalpodautoscalers: { group: "autoscaling", version: "v2", resource: "horizontalpodautoscalers" },
} satisfies Record<string, ResourceRef>;

export function metaKey(m: ObjectMeta): string {
  return m.namespace ? `${m.namespace}/${m.name}` : (m.name ?? "");
}

export function objKey(o: KubeObject): string {
  return metaKey(o.metadata);
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf("/");
  return i < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export function apiVersionOf(ref: ResourceRef): string {
  return ref.group ? `${ref.group}/${ref.version}` : ref.version;
}

export function isNotFound(err: unknown): boolean {
  return (err as { code?: number })?.code === 404;
}
export function isConflict(err: unknown): boolean {
  return (err as { code?: number })?.code === 409;
}
export function isAlreadyExists(err: unknown): boolean {
  const e = err as { code?: number; reason?: string };
  return e?.code === 409 && e.reason === "AlreadyExists";
}

export function nowIso(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

const ALNUM = "bcdfghjklmnpqrstvwxz2456789";
/** Random suffix like upstream's utilrand.String (consonants and digits, no vowels). */
export function randSuffix(n = 5): string {
  let s = "";
  for (let i = 0; i < n; i++) s += ALNUM[Math.floor(Math.random() * ALNUM.length)];
  return s;
}

export function clone<T>(o: T): T {
  return structuredClone(o);
}

export function controllerRef(o: KubeObject) {
  return o.metadata.ownerReferences?.find((r) => r.controller);
}
