import type { KubeObject } from "../client.ts";

// Helpers over pods and label selectors shared by the controllers and the scheduler.

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown" | string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastHeartbeatTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string | null;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export type Pod = KubeObject & {
  spec?: {
    nodeName?: string;
    schedulerName?: string;
    containers?: any[];
    initContainers?: any[];
    tolerations?: any[];
    [k: string]: unknown;
  };
  status?: {
    phase?: string;
    conditions?: Condition[];
    podIP?: string;
    containerStatuses?: { restartCount?: number; ready?: boolean; name?: string }[];
    [k: string]: unknown;
  };
};

export function getCondition(obj: { status?: unknown }, type: string): Condition | undefined {
  const conds = (obj.status as { conditions?: Condition[] } | undefined)?.conditions;
  return conds?.find((c) => c.type === type);
}

export function isPodReady(pod: Pod): boolean {
  return getCondition(pod, "Ready")?.status === "True";
}

/** Ready for at least minReadySeconds (as of nowMs). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs = Date.now()): boolean {
  const c = getCondition(pod, "Ready");
  if (c?.status !== "True") return false;
  if (!minReadySeconds) return true;
  const t = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : 0;
  return t + minReadySeconds * 1000 <= nowMs;
}

export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !pod.metadata.deletionTimestamp;
}

export function isTerminating(o: KubeObject): boolean {
  return !!o.metadata.deletionTimestamp;
}

export function selectorMatches(sel: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  const l = labels ?? {};
  const ml = sel.matchLabels ?? {};
  const me = sel.matchExpressions ?? [];
  if (Object.keys(ml).length === 0 && me.length === 0) return false; // empty selects nothing for controllers
  for (const [k, v] of Object.entries(ml)) if (l[k] !== v) return false;
  for (const r of me) if (!requirementMatches(r, l)) return false;
  return true;
}

export function requirementMatches(r: LabelSelectorRequirement, l: Record<string, string>): boolean {
  const has = Object.hasOwn(l, r.key);
  const v = l[r.key];
  switch (r.operator) {
    case "In":
      return has && (r.values ?? []).includes(v as string);
    case "NotIn":
      return !has || !(r.values ?? []).includes(v as string);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    default:
      return false;
  }
}

/** Plain map selector (Services, ReplicationControllers): every pair must match; empty matches nothing. */
export function mapSelectorMatches(
  sel: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
) {
  if (!sel || Object.keys(sel).length === 0) return false;
  const l = labels ?? {};
  return Object.entries(sel).every(([k, v]) => l[k] === v);
}

export function selectorToString(sel: LabelSelector): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const r of sel.matchExpressions ?? []) {
    if (r.operator === "In") parts.push(`${r.key} in (${(r.values ?? []).join(",")})`);
    else if (r.operator === "NotIn") parts.push(`${r.key} notin (${(r.values ?? []).join(",")})`);
    else if (r.operator === "Exists") parts.push(r.key);
    else if (r.operator === "DoesNotExist") parts.push(`!${r.key}`);
  }
  return parts.join(",");
}

/** Sets (or replaces) a condition, keeping lastTransitionTime when the status did not change. */
export function setCondition(conds: Condition[], c: Condition, now: string): Condition[] {
  const out = conds.filter((x) => x.type !== c.type);
  const old = conds.find((x) => x.type === c.type);
  const lastTransitionTime = old && old.status === c.status ? old.lastTransitionTime : now;
  out.push({ ...c, lastTransitionTime: lastTransitionTime ?? now });
  return out;
}
