import type { KubeObject } from "../client.ts";
import { matchesNodeAffinity, tolerated } from "../scheduler/filters.ts";
import type { Node, SchedPod, Toleration } from "../scheduler/types.ts";
import type { ControllerContext, RunningController } from "./context.ts";
import { type ControllerRevision, currentRevision, truncateHistory } from "./controllerrevision.ts";
import { isPodAvailable, isPodReady, type Pod } from "./podutil.ts";
import { clone, controllerRef, isNotFound, objKey, R, splitKey } from "./refs.ts";
import { ownerRefTo, podFromTemplate, scaledValue, writeStatus } from "./workload-util.ts";
import { WorkQueue } from "./workqueue.ts";

// DaemonSet controller, after upstream's pkg/controller/daemon: one pod per eligible node (node
// selector, required node affinity, NoSchedule/NoExecute taints against the pod's tolerations
// plus the DaemonSet defaults), placed by the default scheduler through a required node affinity
// on `metadata.name`; RollingUpdate (maxUnavailable, maxSurge) or OnDelete over ControllerRevisions
// (`controller-revision-hash` on pods), and the status `kubectl get ds` / `rollout status` read.

type Json = any;
export type DaemonSet = KubeObject & { spec?: Json; status?: Json };

/** Tolerations every DaemonSet pod gets (upstream's AddOrUpdateDaemonPodTolerations). */
export const DAEMON_TOLERATIONS: Toleration[] = [
  { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
];

function withDaemonTolerations(spec: Json): Json {
  const out = clone(spec ?? {});
  const tols: Toleration[] = out.tolerations ?? [];
  const extra = [...DAEMON_TOLERATIONS];
  if (out.hostNetwork)
    extra.push({ key: "node.kubernetes.io/network-unavailable", operator: "Exists", effect: "NoSchedule" });
  for (const t of extra) if (!tols.some((x) => x.key === t.key && x.effect === t.effect)) tols.push(t);
  out.tolerations = tols;
  return out;
}

/** Whether a DaemonSet pod belongs on the node: selector, affinity, and taints it must tolerate. */
export function nodeShouldRunDaemonPod(ds: DaemonSet, node: Node): boolean {
  const spec = withDaemonTolerations(ds.spec?.template?.spec);
  const pod: SchedPod = { metadata: { name: "probe" }, spec } as SchedPod;
  if (!matchesNodeAffinity(pod, node)) return false;
  for (const taint of node.spec?.taints ?? []) {
    if (taint.effect !== "NoSchedule" && taint.effect !== "NoExecute") continue;
    if (!tolerated(spec.tolerations, taint)) return false;
  }
  return true;
}

/** The node a DaemonSet pod is for: its nodeName, or the node of its metadata.name affinity. */
function podNode(p: Pod): string | undefined {
  if (p.spec?.nodeName) return p.spec.nodeName;
  const terms = (p.spec as Json)?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
    ?.nodeSelectorTerms;
  for (const t of terms ?? []) {
    for (const f of t.matchFields ?? []) if (f.key === "metadata.name" && f.operator === "In") return f.values?.[0];
  }
  return undefined;
}

/** The template's affinity with a required `metadata.name In [node]` term replacing any other. */
function affinityFor(spec: Json, nodeName: string): Json {
  const affinity = clone(spec?.affinity ?? {});
  affinity.nodeAffinity ??= {};
  const req = affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution;
  const field = { key: "metadata.name", operator: "In", values: [nodeName] };
  if (!req?.nodeSelectorTerms?.length) {
    affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
      nodeSelectorTerms: [{ matchFields: [field] }],
    };
  } else {
    for (const t of req.nodeSelectorTerms) {
      t.matchFields = [...(t.matchFields ?? []).filter((f: Json) => f.key !== "metadata.name"), field];
    }
  }
  return affinity;
}

export function startDaemonSetController(ctx: ControllerContext): RunningController {
  const dsInf = ctx.informers.for<DaemonSet>(R.daemonsets);
  const podInf = ctx.informers.for<Pod>(R.pods);
  const nodeInf = ctx.informers.for<Node>(R.nodes);
  const crInf = ctx.informers.for<ControllerRevision>(R.controllerrevisions);
  const recorder = ctx.recorder("daemonset-controller");
  const expect = new Map<string, { names: Set<string>; at: number }>();
  const queue = new WorkQueue(sync, { name: "daemonset-controller", workers: 2, log: ctx.log });

  const all = () => {
    for (const ds of dsInf.list()) queue.add(objKey(ds));
  };
  dsInf.addHandler({
    add: (d) => queue.add(objKey(d)),
    update: (_o, d) => queue.add(objKey(d)),
    delete: (d) => expect.delete(objKey(d)),
  });
  const onPod = (p: Pod) => {
    const ref = controllerRef(p);
    if (ref?.kind === "DaemonSet") queue.add(`${p.metadata.namespace}/${ref.name}`);
  };
  podInf.addHandler({ add: onPod, update: (_o, p) => onPod(p), delete: onPod });
  nodeInf.addHandler({
    add: all,
    delete: all,
    update: (o, n) => {
      const changed =
        JSON.stringify(o.metadata.labels) !== JSON.stringify(n.metadata.labels) ||
        JSON.stringify(o.spec?.taints) !== JSON.stringify(n.spec?.taints) ||
        o.spec?.unschedulable !== n.spec?.unschedulable;
      if (changed) all();
    },
  });

  function satisfied(key: string, ns: string): boolean {
    const e = expect.get(key);
    if (!e) return true;
    for (const n of e.names) {
      const p = podInf.getByName(ns, n);
      if (p) e.names.delete(n);
    }
    if (!e.names.size || Date.now() - e.at > 30_000) {
      expect.delete(key);
      return true;
    }
    return false;
  }

  async function sync(key: string): Promise<void> {
    const { namespace } = splitKey(key);
    const ns = namespace ?? "default";
    const ds = dsInf.get(key);
    if (!ds || ds.metadata.deletionTimestamp) return;
    const { revision, hash, all: revs } = await currentRevision(ctx, crInf, ds, "DaemonSet");
    const pods = podInf.list(ns).filter((p) => controllerRef(p)?.uid === ds.metadata.uid);
    const byNode = new Map<string, Pod[]>();
    for (const p of pods) {
      const n = podNode(p);
      if (!n) continue;
      byNode.set(n, [...(byNode.get(n) ?? []), p]);
    }
    const nodes = nodeInf.list();
    const eligible = new Set(nodes.filter((n) => nodeShouldRunDaemonPod(ds, n)).map((n) => n.metadata.name!));
    const isNew = (p: Pod) => p.metadata.labels?.["controller-revision-hash"] === hash;
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const now = Date.now();
    const toCreate: string[] = [];
    const toDelete: Pod[] = [];
    const rolling = (ds.spec?.updateStrategy?.type ?? "RollingUpdate") === "RollingUpdate";
    const desired = eligible.size;
    const maxSurge = rolling ? scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxSurge, desired, true, 0) : 0;
    const maxUnavailable = rolling
      ? scaledValue(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable, desired, true, 1) || (maxSurge ? 0 : 1)
      : 0;

    for (const node of nodes) {
      const name = node.metadata.name!;
      const here = (byNode.get(name) ?? []).filter((p) => !p.metadata.deletionTimestamp);
      if (!eligible.has(name)) {
        toDelete.push(...here);
        continue;
      }
      const failed = here.filter((p) => p.status?.phase === "Failed");
      if (failed.length) {
        toDelete.push(...failed);
        recorder.warning(
          ds,
          "FailedDaemonPod",
          `Found failed daemon pod ${ns}/${failed[0]!.metadata.name} on node ${name}, will try to kill it`,
        );
      }
      const live = here.filter((p) => p.status?.phase !== "Failed");
      if (!live.length && !(byNode.get(name) ?? []).some((p) => p.metadata.deletionTimestamp)) toCreate.push(name);
      else if (live.length > 1 && !rolling) toDelete.push(...live.slice(1));
      else if (live.length > 1 && live.filter(isNew).length > 1) toDelete.push(...live.filter(isNew).slice(1));
    }
    for (const [name, ps] of byNode)
      if (!nodes.some((n) => n.metadata.name === name))
        toDelete.push(...ps.filter((p) => !p.metadata.deletionTimestamp));

    // Rolling update: old pods give way within maxUnavailable (or are surged past with maxSurge).
    if (rolling && satisfied(key, ns)) {
      let unavailable = 0;
      for (const name of eligible) {
        const live = (byNode.get(name) ?? []).filter(
          (p) => !p.metadata.deletionTimestamp && p.status?.phase !== "Failed",
        );
        if (!live.some((p) => isPodAvailable(p, minReady, now))) unavailable++;
      }
      let surgeBudget = maxSurge;
      let budget = maxUnavailable - unavailable;
      for (const name of [...eligible].sort()) {
        const live = (byNode.get(name) ?? []).filter(
          (p) => !p.metadata.deletionTimestamp && p.status?.phase !== "Failed",
        );
        const old = live.filter((p) => !isNew(p));
        const fresh = live.filter(isNew);
        if (!old.length) continue;
        if (fresh.length) {
          if (fresh.some((p) => isPodAvailable(p, minReady, now))) toDelete.push(...old);
          continue;
        }
        const oldAvailable = old.some((p) => isPodAvailable(p, minReady, now));
        if (!oldAvailable) toDelete.push(...old);
        else if (surgeBudget > 0) {
          surgeBudget--;
          toCreate.push(name);
        } else if (budget > 0) {
          budget--;
          toDelete.push(...old);
        }
      }
      if (minReady > 0) queue.addAfter(key, minReady * 1000 + 100);
    }

    if (satisfied(key, ns)) {
      const e = { names: new Set<string>(), at: Date.now() };
      expect.set(key, e);
      const owner = ownerRefTo(ds, "apps/v1", "DaemonSet");
      const template = ds.spec?.template ?? {};
      const gen = String(ds.metadata.generation ?? 1);
      await Promise.all(
        [...new Set(toCreate)].map(async (nodeName) => {
          const pod = podFromTemplate(template, ns, owner, {
            generateName: `${ds.metadata.name}-`,
            labels: { "controller-revision-hash": hash, "pod-template-generation": gen },
          });
          pod.spec = withDaemonTolerations(pod.spec);
          (pod.spec as Json).affinity = affinityFor(pod.spec, nodeName);
          try {
            const created = await ctx.client.create<Pod>(R.pods, pod);
            e.names.add(created.metadata.name!);
            recorder.normal(ds, "SuccessfulCreate", `Created pod: ${created.metadata.name}`);
          } catch (err) {
            if ((err as { code?: number }).code === 403 && /being terminated/.test((err as Error).message)) return;
            recorder.warning(ds, "FailedCreate", `Error creating: ${(err as Error).message}`);
            throw err;
          }
        }),
      );
      await Promise.all(
        [...new Set(toDelete)].map(async (p) => {
          try {
            await ctx.client.delete(R.pods, ns, p.metadata.name!, { preconditions: { uid: p.metadata.uid } });
            recorder.normal(ds, "SuccessfulDelete", `Deleted pod: ${p.metadata.name}`);
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
        }),
      );
      if (!e.names.size) expect.delete(key);
    }

    const livePods = pods.filter((p) => !p.metadata.deletionTimestamp);
    const liveHashes = new Set(
      livePods.map((p) => `${ds.metadata.name}-${p.metadata.labels?.["controller-revision-hash"]}`),
    );
    liveHashes.add(revision.metadata.name!);
    await truncateHistory(ctx, revs, liveHashes, ds.spec?.revisionHistoryLimit ?? 10);

    // Status, from the pods on eligible nodes.
    let current = 0;
    let misscheduled = 0;
    let ready = 0;
    let available = 0;
    let updated = 0;
    for (const node of nodes) {
      const name = node.metadata.name!;
      const live = (byNode.get(name) ?? []).filter((p) => !p.metadata.deletionTimestamp);
      if (!live.length) continue;
      if (!eligible.has(name)) {
        misscheduled++;
        continue;
      }
      current++;
      if (live.some(isPodReady)) ready++;
      if (live.some((p) => isPodAvailable(p, minReady, now))) available++;
      if (live.some(isNew)) updated++;
    }
    const status: Json = {
      ...(ds.status ?? {}),
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      desiredNumberScheduled: desired,
      numberReady: ready,
      observedGeneration: ds.metadata.generation ?? 1,
      updatedNumberScheduled: updated,
      numberAvailable: available,
      numberUnavailable: desired - available,
    };
    if (!status.numberAvailable) delete status.numberAvailable;
    if (!status.numberUnavailable) delete status.numberUnavailable;
    if (!status.updatedNumberScheduled) delete status.updatedNumberScheduled;
    await writeStatus(ctx, R.daemonsets, ds, status);
  }

  return { run: () => queue.start(), stop: () => queue.stop() };
}
