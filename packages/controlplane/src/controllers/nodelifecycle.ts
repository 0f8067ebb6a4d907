import type { KubeObject } from "../client.ts";
import { tolerates } from "../scheduler/filters.ts";
import type { Node, Taint, Toleration } from "../scheduler/types.ts";
import type { ControllerContext, RunningController } from "./context.ts";
import type { Pod } from "./podutil.ts";
import { clone, isConflict, isNotFound, nowIso, R } from "./refs.ts";
import { WorkQueue } from "./workqueue.ts";

// Node lifecycle: a node whose Lease is not renewed within the grace period becomes
// Ready=Unknown and gets the unreachable taints; a NotReady node gets the not-ready taints.
// Pods on a node with a NoExecute taint they do not tolerate are evicted (after their
// tolerationSeconds; the default toleration is podEvictionTimeoutSeconds). Taints go when the
// node is Ready again. Timers per node and per pod, no polling.

export const UNREACHABLE = "node.kubernetes.io/unreachable";
export const NOT_READY = "node.kubernetes.io/not-ready";
const LIFECYCLE_TAINTS = new Set([UNREACHABLE, NOT_READY]);
const STATUS_CONDS = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

type Lease = KubeObject & { spec?: { holderIdentity?: string; renewTime?: string } };

/** Seconds a pod may stay on a node with this NoExecute taint: 0 now, Infinity never. */
export function tolerationSecondsFor(pod: Pod, taint: Taint, defaultSeconds: number): number {
  const tols = ((pod.spec?.tolerations ?? []) as Toleration[]).filter((t) => tolerates(t, taint));
  if (tols.length === 0) return LIFECYCLE_TAINTS.has(taint.key) ? defaultSeconds : 0;
  let min = Number.POSITIVE_INFINITY;
  for (const t of tols) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    // The DefaultTolerationSeconds admission adds 300 s; the controller's setting replaces it.
    const s = LIFECYCLE_TAINTS.has(taint.key) && t.tolerationSeconds === 300 ? defaultSeconds : t.tolerationSeconds;
    min = Math.min(min, Math.max(s, 0));
  }
  return min;
}

export function startNodeLifecycleController(ctx: ControllerContext): RunningController {
  const nodeInf = ctx.informers.for<Node>(R.nodes);
  const leaseInf = ctx.informers.for<Lease>(R.leases);
  const podInf = ctx.informers.for<Pod>(R.pods);
  const recorder = ctx.recorder("node-controller");
  const graceMs = (ctx.opts.nodeMonitorGracePeriodSeconds ?? 40) * 1000;
  const evictSeconds = ctx.opts.podEvictionTimeoutSeconds ?? 300;
  // Last time (our clock) the node's Lease renewTime or Ready heartbeat changed.
  const lastSeen = new Map<string, { lease?: string; hb?: string; at: number }>();
  const nodeTimers = new Map<string, NodeJS.Timeout>();
  const podTimers = new Map<string, NodeJS.Timeout>();
  const nodeQueue = new WorkQueue((k) => syncNode(k), { name: "node-lifecycle", workers: 1, log: ctx.log });
  const podQueue = new WorkQueue((k) => syncPod(k), { name: "taint-eviction", workers: 2, log: ctx.log });
  let running = false;

  function observe(name: string, kind: "lease" | "hb", value: string | undefined) {
    const prev = lastSeen.get(name);
    if (prev && (value === undefined || prev[kind] === value)) return;
    lastSeen.set(name, { ...(prev ?? {}), [kind]: value, at: Date.now() });
    arm(name);
    if (running) nodeQueue.add(name);
  }
  function arm(name: string) {
    const prev = nodeTimers.get(name);
    if (prev) clearTimeout(prev);
    const t = setTimeout(() => nodeQueue.add(name), graceMs + 50);
    t.unref?.();
    nodeTimers.set(name, t);
  }

  leaseInf.addHandler({
    add: (l) => l.metadata.namespace === "kube-node-lease" && observe(l.metadata.name!, "lease", l.spec?.renewTime),
    update: (_o, l) =>
      l.metadata.namespace === "kube-node-lease" && observe(l.metadata.name!, "lease", l.spec?.renewTime),
  });
  nodeInf.addHandler({
    add: (n) => {
      if (!lastSeen.has(n.metadata.name!)) lastSeen.set(n.metadata.name!, { at: Date.now() });
      observe(n.metadata.name!, "hb", heartbeatOf(n));
      arm(n.metadata.name!);
      nodeQueue.add(n.metadata.name!);
    },
    update: (_o, n) => {
      observe(n.metadata.name!, "hb", heartbeatOf(n));
      nodeQueue.add(n.metadata.name!);
    },
    delete: (n) => {
      lastSeen.delete(n.metadata.name!);
      const t = nodeTimers.get(n.metadata.name!);
      if (t) clearTimeout(t);
      nodeTimers.delete(n.metadata.name!);
    },
  });
  const podKey = (p: Pod) => `${p.metadata.namespace}/${p.metadata.name}`;
  podInf.addHandler({
    add: (p) => p.spec?.nodeName && podQueue.add(podKey(p)),
    update: (o, p) => p.spec?.nodeName && o.spec?.nodeName !== p.spec.nodeName && podQueue.add(podKey(p)),
    delete: (p) => {
      const t = podTimers.get(podKey(p));
      if (t) clearTimeout(t);
      podTimers.delete(podKey(p));
    },
  });

  function heartbeatOf(n: Node): string | undefined {
    const c = readyOf(n) as { lastHeartbeatTime?: string; status?: string } | undefined;
    return c && c.status !== "Unknown" ? c.lastHeartbeatTime : undefined;
  }

  function readyOf(n: Node) {
    return n.status?.conditions?.find((c) => c.type === "Ready");
  }

  async function syncNode(name: string) {
    const node = nodeInf.getByName(undefined, name);
    if (!node) return;
    const seen = lastSeen.get(name);
    const stale = !seen || Date.now() - seen.at >= graceMs;
    const ready = readyOf(node);
    const now = nowIso();
    if (stale && ready?.status !== "Unknown") {
      const upd = clone(node);
      const conds = [...(upd.status?.conditions ?? [])];
      for (const type of STATUS_CONDS) {
        const c = conds.find((x) => x.type === type) as Record<string, unknown> | undefined;
        const next = {
          type,
          status: "Unknown",
          reason: "NodeStatusUnknown",
          message: "Kubelet stopped posting node status.",
          lastHeartbeatTime: (c?.lastHeartbeatTime as string) ?? now,
          lastTransitionTime: now,
        };
        if (c) Object.assign(c, next);
        else conds.push(next);
      }
      upd.status = { ...(upd.status ?? {}), conditions: conds };
      await ctx.client.update(R.nodes, upd, { subresource: "status" });
      recorder.normal(node, "NodeNotReady", `Node ${name} status is now: NodeNotReady`);
      await markPodsNotReady(name);
      return; // taints follow on the update event
    }
    if (!stale && ready?.status === "Unknown" && ready.reason === "NodeStatusUnknown" && seen?.lease) {
      // The kubelet renews its Lease again: it is back.
      const upd = clone(node);
      upd.status = {
        ...(upd.status ?? {}),
        conditions: (upd.status?.conditions ?? []).map((c) =>
          c.type === "Ready"
            ? {
                ...c,
                status: "True",
                reason: "KubeletReady",
                message: "kubelet is posting ready status",
                lastHeartbeatTime: now,
                lastTransitionTime: now,
              }
            : c.type !== "Ready" && STATUS_CONDS.includes(c.type)
              ? {
                  ...c,
                  status: "False",
                  reason: `KubeletHas${c.type === "PIDPressure" ? "SufficientPID" : c.type === "MemoryPressure" ? "SufficientMemory" : "NoDiskPressure"}`,
                  lastHeartbeatTime: now,
                  lastTransitionTime: now,
                }
              : c,
        ),
      };
      await ctx.client.update(R.nodes, upd, { subresource: "status" });
      recorder.normal(node, "NodeReady", `Node ${name} status is now: NodeReady`);
      return;
    }
    await reconcileTaints(node);
    if (stale) arm(name);
  }

  async function reconcileTaints(node: Node) {
    const ready = readyOf(node)?.status;
    const want: string | undefined = ready === "Unknown" ? UNREACHABLE : ready === "False" ? NOT_READY : undefined;
    const taints = node.spec?.taints ?? [];
    const keep = taints.filter((t) => !LIFECYCLE_TAINTS.has(t.key) || t.key === want);
    const now = nowIso();
    const next = [...keep];
    if (want) {
      for (const effect of ["NoSchedule", "NoExecute"]) {
        if (!next.some((t) => t.key === want && t.effect === effect)) {
          next.push({ key: want, effect, ...(effect === "NoExecute" ? { timeAdded: now } : {}) });
        }
      }
    }
    if (want) await markPodsNotReady(node.metadata.name!);
    if (next.length === taints.length && next.every((t, i) => t === taints[i])) {
      if (want) for (const p of podInf.list()) if (p.spec?.nodeName === node.metadata.name) podQueue.add(podKey(p));
      return;
    }
    const upd = clone(node);
    upd.spec = { ...(upd.spec ?? {}), taints: next.length ? next : undefined };
    try {
      await ctx.client.update(R.nodes, upd);
    } catch (err) {
      if (!isConflict(err) && !isNotFound(err)) throw err;
      if (isConflict(err)) throw err;
    }
  }

  async function markPodsNotReady(nodeName: string) {
    const now = nowIso();
    for (const p of podInf.list()) {
      if (p.spec?.nodeName !== nodeName || p.metadata.deletionTimestamp) continue;
      const conds = p.status?.conditions ?? [];
      if (!conds.some((c) => c.type === "Ready" && c.status !== "False")) continue;
      const upd = clone(p);
      upd.status = {
        ...(upd.status ?? {}),
        conditions: conds.map((c) => (c.type === "Ready" ? { ...c, status: "False", lastTransitionTime: now } : c)),
      };
      await ctx.client.update(R.pods, upd, { subresource: "status" }).catch(() => {});
    }
  }

  async function syncPod(key: string) {
    const [ns, name] = key.split("/") as [string, string];
    const pod = podInf.getByName(ns, name);
    const prev = podTimers.get(key);
    if (prev) clearTimeout(prev);
    podTimers.delete(key);
    if (!pod?.spec?.nodeName || pod.metadata.deletionTimestamp) return;
    const node = nodeInf.getByName(undefined, pod.spec.nodeName);
    if (!node) return;
    let evictAt = Number.POSITIVE_INFINITY;
    for (const taint of node.spec?.taints ?? []) {
      if (taint.effect !== "NoExecute") continue;
      const secs = tolerationSecondsFor(pod, taint, evictSeconds);
      const added = taint.timeAdded ? Date.parse(taint.timeAdded) : Date.now();
      evictAt = Math.min(evictAt, added + secs * 1000);
    }
    if (evictAt === Number.POSITIVE_INFINITY) return;
    const wait = evictAt - Date.now();
    if (wait > 0) {
      const t = setTimeout(() => podQueue.add(key), wait + 20);
      t.unref?.();
      podTimers.set(key, t);
      return;
    }
    recorder.normal(pod, "TaintManagerEviction", `Marking for deletion Pod ${key}`);
    try {
      await ctx.client.delete(R.pods, ns, name, { preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  // Pods are re-examined whenever their node's taints change.
  nodeInf.addHandler({
    update: (o, n) => {
      if (JSON.stringify(o.spec?.taints) === JSON.stringify(n.spec?.taints)) return;
      for (const p of podInf.list()) if (p.spec?.nodeName === n.metadata.name) podQueue.add(podKey(p));
    },
  });

  return {
    run: () => {
      running = true;
      // Nodes without a Lease yet get the full grace period from controller start.
      const start = Date.now();
      for (const n of nodeInf.list()) {
        const s = lastSeen.get(n.metadata.name!);
        if (s) s.at = Math.max(s.at, start);
        arm(n.metadata.name!);
      }
      nodeQueue.start();
      podQueue.start();
    },
    stop: async () => {
      for (const t of [...nodeTimers.values(), ...podTimers.values()]) clearTimeout(t);
      await Promise.all([nodeQueue.stop(), podQueue.stop()]);
    },
  };
}
