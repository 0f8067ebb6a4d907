import type { KubeObject } from "../client.ts";
import type { ControllerContext, RunningController } from "./context.ts";
import { isPodReady, type LabelSelector, type Pod, requirementMatches } from "./podutil.ts";
import { controllerRef, isNotFound, objKey, R, splitKey } from "./refs.ts";
import { upsertCondition, writeStatus } from "./workload-util.ts";
import { WorkQueue } from "./workqueue.ts";

// Disruption controller (PodDisruptionBudget status), after upstream's pkg/controller/disruption:
// expectedPods, desiredHealthy, currentHealthy and disruptionsAllowed from the pods the budget
// selects and, for maxUnavailable or a percentage, the scale of their controllers; condition
// DisruptionAllowed. Evictions recorded in status.disruptedPods by the API server are dropped
// once the pod is gone or after 2 minutes, like upstream's DeletionTimeout.

type Json = any;
export type Pdb = KubeObject & { spec?: Json; status?: Json };

const DELETION_TIMEOUT_MS = 120_000;

/** policy/v1: an empty selector selects every pod of the namespace; a missing one selects none. */
function pdbSelects(sel: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const r of sel.matchExpressions ?? []) if (!requirementMatches(r, l)) return false;
  return true;
}

function intOrPercent(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === "number") return v;
  const m = /^(\d+)%$/.exec(String(v));
  if (!m) return Number.parseInt(String(v), 10) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

export function startDisruptionController(ctx: ControllerContext): RunningController {
  const pdbInf = ctx.informers.for<Pdb>(R.poddisruptionbudgets);
  const podInf = ctx.informers.for<Pod>(R.pods);
  const queue = new WorkQueue(sync, { name: "disruption-controller", workers: 1, log: ctx.log });

  pdbInf.addHandler({ add: (p) => queue.add(objKey(p)), update: (_o, p) => queue.add(objKey(p)) });
  const onPod = (p: Pod) => {
    for (const pdb of pdbInf.list(p.metadata.namespace)) {
      if (pdbSelects(pdb.spec?.selector, p.metadata.labels)) queue.add(objKey(pdb));
    }
  };
  podInf.addHandler({
    add: onPod,
    update: (o, n) => {
      onPod(n);
      if (JSON.stringify(o.metadata.labels) !== JSON.stringify(n.metadata.labels)) onPod(o);
    },
    delete: onPod,
  });

  /** The desired replicas of a pod's controller (RS under a Deployment counts the Deployment). */
  async function scaleOf(p: Pod, cache: Map<string, number>): Promise<{ key: string; replicas: number } | undefined> {
    const ref = controllerRef(p);
    if (!ref) return undefined;
    const ns = p.metadata.namespace;
    const key = `${ref.kind}/${ref.uid}`;
    if (cache.has(key)) return { key, replicas: cache.get(key)! };
    const get = async (r: { group: string; version: string; resource: string }, name: string) => {
      try {
        return (await ctx.client.get(r, ns, name)) as Json;
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    };
    let replicas: number | undefined;
    let ownerKey = key;
    if (ref.kind === "ReplicaSet") {
      const rs = await get(R.replicasets, ref.name);
      const dref = rs ? controllerRef(rs) : undefined;
      if (dref?.kind === "Deployment") {
        const d = await get(R.deployments, dref.name);
        replicas = d?.spec?.replicas;
        ownerKey = `Deployment/${dref.uid}`;
      } else replicas = rs?.spec?.replicas;
    } else if (ref.kind === "StatefulSet") replicas = (await get(R.statefulsets, ref.name))?.spec?.replicas;
    else if (ref.kind === "ReplicationController")
      replicas = (await get(R.replicationcontrollers, ref.name))?.spec?.replicas;
    if (replicas === undefined) return undefined;
    cache.set(key, replicas);
    return { key: ownerKey, replicas };
  }

  async function sync(key: string): Promise<void> {
    const { namespace } = splitKey(key);
    const pdb = pdbInf.get(key);
    if (!pdb || pdb.metadata.deletionTimestamp) return;
    const now = Date.now();
    const pods = podInf
      .list(namespace ?? "default")
      .filter((p) => pdbSelects(pdb.spec?.selector, p.metadata.labels) && !p.metadata.deletionTimestamp);
    const disrupted: Record<string, string> = {};
    let nextExpiry = Number.POSITIVE_INFINITY;
    for (const [name, at] of Object.entries((pdb.status?.disruptedPods ?? {}) as Record<string, string>)) {
      const p = podInf.getByName(namespace, name);
      const t = Date.parse(at);
      if (!p || p.metadata.deletionTimestamp || t + DELETION_TIMEOUT_MS < now) continue;
      disrupted[name] = at;
      nextExpiry = Math.min(nextExpiry, t + DELETION_TIMEOUT_MS);
    }
    const currentHealthy = pods.filter((p) => isPodReady(p) && !disrupted[p.metadata.name!]).length;
    const spec = pdb.spec ?? {};
    let expectedPods = pods.length;
    let desiredHealthy = 0;
    let error: string | undefined;
    const needScale = spec.maxUnavailable !== undefined || typeof spec.minAvailable === "string";
    if (needScale) {
      const cache = new Map<string, number>();
      const owners = new Map<string, number>();
      for (const p of pods) {
        const s = await scaleOf(p, cache);
        if (!s) {
          error = `found no controllers for pod "${p.metadata.name}"`;
          break;
        }
        owners.set(s.key, s.replicas);
      }
      expectedPods = [...owners.values()].reduce((a, b) => a + b, 0);
    }
    if (error) {
      desiredHealthy = 0;
      expectedPods = pods.length;
    } else if (spec.maxUnavailable !== undefined) {
      desiredHealthy = Math.max(0, expectedPods - intOrPercent(spec.maxUnavailable, expectedPods, true));
    } else if (spec.minAvailable !== undefined) {
      desiredHealthy = intOrPercent(spec.minAvailable, expectedPods, true);
    }
    const allowed = error ? 0 : Math.max(0, currentHealthy - desiredHealthy);
    const status: Json = {
      ...(pdb.status ?? {}),
      observedGeneration: pdb.metadata.generation ?? 1,
      disruptionsAllowed: allowed,
      currentHealthy,
      desiredHealthy,
      expectedPods,
      disruptedPods: Object.keys(disrupted).length ? disrupted : undefined,
      conditions: upsertCondition(
        pdb.status?.conditions,
        error
          ? { type: "DisruptionAllowed", status: "False", reason: "SyncFailed", message: error }
          : allowed > 0
            ? { type: "DisruptionAllowed", status: "True", reason: "SufficientPods", message: "" }
            : { type: "DisruptionAllowed", status: "False", reason: "InsufficientPods", message: "" },
        { observedGeneration: pdb.metadata.generation ?? 1 },
      ),
    };
    if (!status.disruptedPods) delete status.disruptedPods;
    if (Number.isFinite(nextExpiry)) queue.addAfter(key, nextExpiry - now + 100);
    await writeStatus(ctx, R.poddisruptionbudgets, pdb, status);
  }

  return { run: () => queue.start(), stop: () => queue.stop() };
}
