import { termMatches } from "./filters.ts";
import type { Resources } from "./quantity.ts";
import type { NodeInfo, SchedPod } from "./types.ts";

// Score plugins of the default profile: NodeResourcesFit (LeastAllocated), NodeResourcesBalancedAllocation
// and NodeAffinity (preferred terms), each 0..100 and summed.

export const DEFAULT_MILLI_CPU = 100;
export const DEFAULT_MEMORY = 200 * 1024 * 1024;

export function nonZero(r: Resources): Resources {
  return { ...r, cpu: r.cpu || DEFAULT_MILLI_CPU, memory: r.memory || DEFAULT_MEMORY };
}

export function leastAllocated(info: NodeInfo, req: Resources): number {
  let sum = 0;
  for (const res of ["cpu", "memory"]) {
    const cap = info.allocatable[res] ?? 0;
    const used = (info.nonZeroRequested[res] ?? 0) + (req[res] ?? 0);
    sum += cap === 0 || used > cap ? 0 : ((cap - used) * 100) / cap;
  }
  return Math.floor(sum / 2);
}

export function balancedAllocation(info: NodeInfo, req: Resources): number {
  const fr: number[] = [];
  for (const res of ["cpu", "memory"]) {
    const cap = info.allocatable[res] ?? 0;
    const used = (info.requested[res] ?? 0) + (req[res] ?? 0);
    fr.push(cap === 0 ? 1 : Math.min(used / cap, 1));
  }
  const mean = (fr[0]! + fr[1]!) / 2;
  const std = Math.sqrt(((fr[0]! - mean) ** 2 + (fr[1]! - mean) ** 2) / 2);
  return Math.floor((1 - std) * 100);
}

export function preferredAffinityRaw(pod: SchedPod, info: NodeInfo): number {
  const prefs = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  let s = 0;
  for (const p of prefs) if (p.weight && termMatches(p.preference, info.node)) s += p.weight;
  return s;
}

/**
 * Default spreading (upstream's system-default PodTopologySpread over hostnames, weight 2): fewer
 * pods of the same controller on a node is better. siblings[i] counts them per node.
 */
export function spreadScores(siblings: number[]): number[] {
  const max = Math.max(0, ...siblings);
  return siblings.map((n) => (max === 0 ? 100 : Math.floor(((max - n) * 100) / max)));
}

/** Total score per node (same order as infos); siblings: pods of the pod's controller per node. */
export function scoreNodes(pod: SchedPod, infos: NodeInfo[], req: Resources, siblings?: number[]): number[] {
  const nz = nonZero(req);
  const aff = infos.map((i) => preferredAffinityRaw(pod, i));
  const maxAff = Math.max(0, ...aff);
  const spread = spreadScores(siblings ?? infos.map(() => 0));
  return infos.map(
    (info, i) =>
      leastAllocated(info, nz) +
      balancedAllocation(info, req) +
      (maxAff > 0 ? Math.floor((aff[i]! * 100) / maxAff) : 0) +
      2 * spread[i]!,
  );
}

/** Highest score wins; ties broken at random like upstream's selectHost. */
export function selectHost(scores: number[]): number {
  let best = -1;
  let ties = 0;
  for (let i = 0; i < scores.length; i++) {
    if (best < 0 || scores[i]! > scores[best]!) {
      best = i;
      ties = 1;
    } else if (scores[i] === scores[best]) {
      ties++;
      if (Math.random() * ties < 1) best = i;
    }
  }
  return best;
}
