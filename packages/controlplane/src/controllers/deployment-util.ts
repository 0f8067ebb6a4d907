import type { KubeObject } from "../client.ts";
import type { Condition, LabelSelector } from "./podutil.ts";

// Pure deployment arithmetic, as upstream's deployment/util: template hashing, surge and
// unavailability fenceposts, how far to scale the new and old ReplicaSets.

export const REVISION = "deployment.kubernetes.io/revision";
export const REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
export const DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
export const MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
export const HASH_LABEL = "pod-template-hash";

export type PodTemplate = { metadata?: { labels?: Record<string, string>; [k: string]: unknown }; spec?: unknown };

export type Deployment = KubeObject & {
  spec: {
    replicas?: number;
    selector?: LabelSelector;
    template?: PodTemplate;
    strategy?: {
      type?: "RollingUpdate" | "Recreate";
      rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string };
    };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    paused?: boolean;
    progressDeadlineSeconds?: number;
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    collisionCount?: number;
    conditions?: Condition[];
  };
};

export type ReplicaSet = KubeObject & {
  spec: { replicas?: number; minReadySeconds?: number; selector?: LabelSelector; template?: PodTemplate };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number; observedGeneration?: number };
};

/** JSON with keys sorted and null/undefined fields dropped (unset), so that equal objects serialise equally. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined && x !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, "utf8")) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const SAFE = "bcdfghjklmnpqrstvwxz2456789";
/** Like upstream's rand.SafeEncodeString: every character mapped into a vowel-free alphabet. */
export function safeEncode(s: string): string {
  let out = "";
  for (const ch of s) out += SAFE[ch.charCodeAt(0) % SAFE.length];
  return out;
}

/** The pod-template-hash: FNV-32a of the template (plus collisionCount), safe-encoded. */
export function podTemplateHash(template: PodTemplate | undefined, collisionCount?: number): string {
  const t = stripHash(template);
  let s = canonical(t);
  if (collisionCount) s += `#${collisionCount}`;
  return safeEncode(String(fnv32a(s)));
}

function stripHash(template: PodTemplate | undefined): PodTemplate {
  const t = structuredClone(template ?? {});
  if (t.metadata?.labels) {
    delete t.metadata.labels[HASH_LABEL];
    if (Object.keys(t.metadata.labels).length === 0) delete t.metadata.labels;
  }
  return t;
}

export function templatesEqual(a: PodTemplate | undefined, b: PodTemplate | undefined): boolean {
  return canonical(stripHash(a)) === canonical(stripHash(b));
}

/** Resolves an int-or-percent against total, rounding up or down (upstream GetScaledValueFromIntOrPercent). */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean, dflt: string): number {
  const x = v ?? dflt;
  if (typeof x === "number") return x;
  const m = /^(\d+)%$/.exec(x);
  if (!m) {
    const n = Number(x);
    if (Number.isInteger(n)) return n;
    throw new Error(`invalid value for IntOrString: ${JSON.stringify(x)}`);
  }
  const pct = Number(m[1]);
  return roundUp ? Math.ceil((pct * total) / 100) : Math.floor((pct * total) / 100);
}

/** maxSurge (rounded up) and maxUnavailable (rounded down); both zero means unavailable 1. */
export function resolveFenceposts(d: Deployment): { surge: number; unavailable: number } {
  const ru = d.spec.strategy?.rollingUpdate;
  const replicas = d.spec.replicas ?? 1;
  const surge = scaledValue(ru?.maxSurge, replicas, true, "25%");
  let unavailable = scaledValue(ru?.maxUnavailable, replicas, false, "25%");
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function isRecreate(d: Deployment): boolean {
  return d.spec.strategy?.type === "Recreate";
}

export function maxUnavailable(d: Deployment): number {
  const replicas = d.spec.replicas ?? 1;
  if (isRecreate(d) || replicas === 0) return 0;
  return Math.min(resolveFenceposts(d).unavailable, replicas);
}

export function maxSurge(d: Deployment): number {
  if (isRecreate(d)) return 0;
  return resolveFenceposts(d).surge;
}

export const specReplicas = (rs: ReplicaSet) => rs.spec.replicas ?? 0;
export const sumSpec = (rss: ReplicaSet[]) => rss.reduce((s, r) => s + specReplicas(r), 0);
export const sumStatus = (rss: ReplicaSet[], k: "replicas" | "readyReplicas" | "availableReplicas") =>
  rss.reduce((s, r) => s + (r.status?.[k] ?? 0), 0);

/** How many replicas the new ReplicaSet may have now (upstream NewRSNewReplicas). */
export function newRSNewReplicas(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet): number {
  const replicas = d.spec.replicas ?? 1;
  if (isRecreate(d)) return replicas;
  const maxTotal = replicas + maxSurge(d);
  const current = sumSpec(allRSs);
  if (current >= maxTotal) return specReplicas(newRS);
  const up = Math.min(maxTotal - current, replicas - specReplicas(newRS));
  return specReplicas(newRS) + Math.max(up, 0);
}

/**
 * How old ReplicaSets scale down in a rolling update (upstream reconcileOldReplicaSets):
 * first unhealthy replicas, then available ones while staying above minAvailable.
 * Returns the new spec.replicas per old RS name (only the ones that change).
 */
export function planOldScaleDown(d: Deployment, oldRSs: ReplicaSet[], newRS: ReplicaSet): Map<string, number> {
  const out = new Map<string, number>();
  const oldCount = sumSpec(oldRSs);
  if (oldCount === 0) return out;
  const all = [...oldRSs, newRS];
  const allCount = sumSpec(all);
  const minAvailable = (d.spec.replicas ?? 1) - maxUnavailable(d);
  const newUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = allCount - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return out;
  const byAge = [...oldRSs].sort(
    (a, b) => Date.parse(a.metadata.creationTimestamp ?? "") - Date.parse(b.metadata.creationTimestamp ?? ""),
  );
  const replicasOf = (rs: ReplicaSet) => out.get(rs.metadata.name!) ?? specReplicas(rs);
  // 1. unhealthy replicas of old RSes
  let cleaned = 0;
  for (const rs of byAge) {
    if (cleaned >= maxScaledDown) break;
    const r = replicasOf(rs);
    if (r === 0) continue;
    const unhealthy = r - (rs.status?.availableReplicas ?? 0);
    if (unhealthy <= 0) continue;
    const down = Math.min(maxScaledDown - cleaned, unhealthy);
    out.set(rs.metadata.name!, r - down);
    cleaned += down;
  }
  // 2. available replicas, keeping minAvailable
  const available = sumStatus(all, "availableReplicas");
  if (available <= minAvailable) return out;
  let total = available - minAvailable;
  for (const rs of byAge) {
    if (total <= 0) break;
    const r = replicasOf(rs);
    if (r === 0) continue;
    const down = Math.min(r, total);
    out.set(rs.metadata.name!, r - down);
    total -= down;
  }
  return out;
}

export function revisionOf(o: KubeObject): number {
  const v = Number(o.metadata.annotations?.[REVISION] ?? "0");
  return Number.isFinite(v) ? v : 0;
}

/** Annotations a Deployment passes on to its ReplicaSets (upstream skips these). */
export function copyableAnnotations(d: Deployment): Record<string, string> {
  const skip = new Set([
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    REVISION_HISTORY,
    DESIRED_REPLICAS,
    MAX_REPLICAS,
    "deprecated.deployment.rollback.to",
  ]);
  return Object.fromEntries(Object.entries(d.metadata.annotations ?? {}).filter(([k]) => !skip.has(k)));
}
