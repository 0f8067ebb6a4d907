import { podRequests, type Resources, toResources } from "./quantity.ts";
import type {
  FilterResult,
  Node,
  NodeInfo,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  SchedPod,
  Taint,
  Toleration,
} from "./types.ts";

// The default profile's filter plugins, in upstream's order, with upstream's reason strings.

export const REASON = {
  unschedulable: "node(s) were unschedulable",
  affinity: "node(s) didn't match Pod's node affinity/selector",
  ports: "node(s) didn't have free ports for the requested pod ports",
  tooManyPods: "Too many pods",
  nodeName: "node(s) didn't match the requested node name",
} as const;

export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.operator === "Exists") return !t.key || t.key === taint.key;
  if (t.key !== taint.key) return false;
  return (t.value ?? "") === (taint.value ?? "");
}

export function tolerated(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => tolerates(t, taint));
}

/** The node's taints plus the implicit not-ready taint when the Ready condition is not True. */
export function effectiveTaints(node: Node): Taint[] {
  const taints = [...(node.spec?.taints ?? [])];
  const ready = node.status?.conditions?.find((c) => c.type === "Ready");
  if (ready?.status !== "True" && !taints.some((t) => t.key.startsWith("node.kubernetes.io/"))) {
    const key = ready?.status === "Unknown" ? "node.kubernetes.io/unreachable" : "node.kubernetes.io/not-ready";
    taints.push({ key, effect: "NoSchedule" });
  }
  return taints;
}

function requirementMatches(r: NodeSelectorRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const v = labels[r.key];
  const vals = r.values ?? [];
  switch (r.operator) {
    case "In":
      return has && vals.includes(v!);
    case "NotIn":
      return !has || !vals.includes(v!);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "Gt":
    case "Lt": {
      if (!has || vals.length !== 1) return false;
      const a = Number.parseInt(v!, 10);
      const b = Number.parseInt(vals[0]!, 10);
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return r.operator === "Gt" ? a > b : a < b;
    }
    default:
      return false;
  }
}

export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  if (!exprs.every((r) => requirementMatches(r, labels))) return false;
  const fieldMap = { "metadata.name": node.metadata.name ?? "" };
  return fields.every((r) => requirementMatches(r, fieldMap));
}

export function matchesNodeAffinity(pod: SchedPod, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const req = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!req) return true;
  return (req.nodeSelectorTerms ?? []).some((t) => termMatches(t, node));
}

export function podHostPorts(pod: SchedPod): string[] {
  const out: string[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.hostPort) out.push(`${p.protocol ?? "TCP"}/${p.hostIP || "0.0.0.0"}/${p.hostPort}`);
    }
  }
  return out;
}

function portConflict(used: Set<string>, want: string): boolean {
  if (used.has(want)) return true;
  const [proto, ip, port] = want.split("/");
  for (const u of used) {
    const [p2, ip2, port2] = u.split("/");
    if (p2 === proto && port2 === port && (ip === "0.0.0.0" || ip2 === "0.0.0.0")) return true;
  }
  return false;
}

/** Runs the filters; undefined when the pod fits on the node. */
export function filterNode(pod: SchedPod, info: NodeInfo, requests: Resources = podRequests(pod.spec ?? {})) {
  const node = info.node;
  const tolerations = pod.spec?.tolerations;
  // NodeUnschedulable
  if (node.spec?.unschedulable) {
    const t: Taint = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };
    if (!tolerated(tolerations, t)) return { reasons: [REASON.unschedulable], unresolvable: true } as FilterResult;
  }
  // TaintToleration
  for (const taint of effectiveTaints(node)) {
    if (taint.effect !== "NoSchedule" && taint.effect !== "NoExecute") continue;
    if (!tolerated(tolerations, taint)) {
      return {
        reasons: [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`],
        unresolvable: true,
      } as FilterResult;
    }
  }
  // NodeAffinity (nodeSelector + required terms)
  if (!matchesNodeAffinity(pod, node)) return { reasons: [REASON.affinity], unresolvable: true } as FilterResult;
  // NodePorts
  for (const p of podHostPorts(pod)) {
    if (portConflict(info.usedPorts, p)) return { reasons: [REASON.ports], unresolvable: false } as FilterResult;
  }
  // NodeResourcesFit
  const reasons: string[] = [];
  const maxPods = info.allocatable.pods ?? 110;
  if (info.podCount + 1 > maxPods) reasons.push(REASON.tooManyPods);
  for (const [res, want] of Object.entries(requests)) {
    if (want <= 0) continue;
    const alloc = info.allocatable[res] ?? 0;
    if (want > alloc - (info.requested[res] ?? 0)) reasons.push(`Insufficient ${res}`);
  }
  if (reasons.length) return { reasons, unresolvable: false } as FilterResult;
  return undefined;
}

export function nodeAllocatable(node: Node): Resources {
  const a = toResources(node.status?.allocatable ?? node.status?.capacity);
  if (a.pods === undefined) a.pods = 110;
  return a;
}

/** Upstream's FitError message, with the preemption post-filter's summary. */
export function fitErrorMessage(total: number, results: FilterResult[]): string {
  if (total === 0) return "no nodes available to schedule pods";
  const hist = new Map<string, number>();
  let unresolvable = 0;
  for (const r of results) {
    for (const reason of r.reasons) hist.set(reason, (hist.get(reason) ?? 0) + 1);
    if (r.unresolvable) unresolvable++;
  }
  const parts = [...hist].map(([k, v]) => `${v} ${k}`).sort();
  const pre: string[] = [];
  if (unresolvable) pre.push(`${unresolvable} Preemption is not helpful for scheduling`);
  if (total - unresolvable) pre.push(`${total - unresolvable} No preemption victims found for incoming pod`);
  return `0/${total} nodes are available: ${parts.join(", ")}. preemption: 0/${total} nodes are available: ${pre.sort().join(", ")}.`;
}
