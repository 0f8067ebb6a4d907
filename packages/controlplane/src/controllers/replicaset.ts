import type { KubeObject, OwnerReference, ResourceRef } from "../client.ts";
import type { ControllerContext, RunningController } from "./context.ts";
import {
  getCondition,
  isPodActive,
  isPodAvailable,
  isPodReady,
  type LabelSelector,
  type Pod,
  selectorMatches,
} from "./podutil.ts";
import { clone, controllerRef, isAlreadyExists, isNotFound, objKey, R, randSuffix, splitKey } from "./refs.ts";
import { WorkQueue } from "./workqueue.ts";

// ReplicaSet controller (and ReplicationController, the same logic over a map selector): keeps
// `spec.replicas` active pods, adopting matching orphans and releasing pods that stopped
// matching, deleting the least valuable pods first, and writes status.

export type ReplicaSetLike = KubeObject & {
  spec?: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: LabelSelector | Record<string, string>;
    template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any };
  };
  status?: Record<string, any>;
};

interface Kind {
  ref: ResourceRef;
  kind: string;
  apiVersion: string;
  component: string;
}

export const RS_KIND: Kind = {
  ref: R.replicasets,
  kind: "ReplicaSet",
  apiVersion: "apps/v1",
  component: "replicaset-controller",
};
export const RC_KIND: Kind = {
  ref: R.replicationcontrollers,
  kind: "ReplicationController",
  apiVersion: "v1",
  component: "replication-controller",
};

export function rsSelector(rs: ReplicaSetLike, kind: Kind): LabelSelector {
  const sel = rs.spec?.selector;
  if (kind.kind === "ReplicationController") {
    const m = (sel as Record<string, string> | undefined) ?? rs.spec?.template?.metadata?.labels ?? {};
    return { matchLabels: m };
  }
  return (sel as LabelSelector | undefined) ?? {};
}

/** Upstream's ActivePods ordering: the pods to delete first sort first. */
export function deletionRank(a: Pod, b: Pod): number {
  const an = a.spec?.nodeName ? 1 : 0;
  const bn = b.spec?.nodeName ? 1 : 0;
  if (an !== bn) return an - bn;
  const phaseRank = (p: Pod) => ({ Pending: 0, Unknown: 1, Running: 2 })[p.status?.phase ?? "Pending"] ?? 0;
  if (phaseRank(a) !== phaseRank(b)) return phaseRank(a) - phaseRank(b);
  const ar = isPodReady(a) ? 1 : 0;
  const br = isPodReady(b) ? 1 : 0;
  if (ar !== br) return ar - br;
  if (ar && br) {
    const at = Date.parse(getCondition(a, "Ready")?.lastTransitionTime ?? "") || 0;
    const bt = Date.parse(getCondition(b, "Ready")?.lastTransitionTime ?? "") || 0;
    if (at !== bt) return bt - at; // ready for less time first
  }
  const restarts = (p: Pod) => (p.status?.containerStatuses ?? []).reduce((s, c) => s + (c.restartCount ?? 0), 0);
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  const ac = Date.parse(a.metadata.creationTimestamp ?? "") || 0;
  const bc = Date.parse(b.metadata.creationTimestamp ?? "") || 0;
  return bc - ac; // newer first
}

export function startReplicaSetController(ctx: ControllerContext, kind: Kind): RunningController {
  const rsInf = ctx.informers.for<ReplicaSetLike>(kind.ref);
  const podInf = ctx.informers.for<Pod>(R.pods);
  const recorder = ctx.recorder(kind.component);
  // Pods created/deleted but not yet seen by the informer: no new create/delete until then.
  const expect = new Map<string, { adds: Set<string>; dels: Set<string>; at: number }>();
  const queue = new WorkQueue((k) => sync(k), { name: kind.component, workers: 2, log: ctx.log });

  const enqueueOwner = (pod: Pod) => {
    const ref = controllerRef(pod);
    if (ref) {
      if (ref.kind === kind.kind) queue.add(`${pod.metadata.namespace}/${ref.name}`);
      return;
    }
    if (pod.metadata.deletionTimestamp) return;
    for (const rs of rsInf.list(pod.metadata.namespace)) {
      if (selectorMatches(rsSelector(rs, kind), pod.metadata.labels)) queue.add(objKey(rs));
    }
  };
  rsInf.addHandler({
    add: (o) => queue.add(objKey(o)),
    update: (_o, n) => queue.add(objKey(n)),
    delete: (o) => {
      expect.delete(objKey(o));
      queue.add(objKey(o));
    },
  });
  podInf.addHandler({
    add: enqueueOwner,
    update: (o, n) => {
      enqueueOwner(n);
      const a = controllerRef(o);
      const b = controllerRef(n);
      if (a?.uid !== b?.uid || JSON.stringify(o.metadata.labels) !== JSON.stringify(n.metadata.labels)) enqueueOwner(o);
    },
    delete: enqueueOwner,
  });

  function satisfied(key: string, ns: string): boolean {
    const e = expect.get(key);
    if (!e) return true;
    if (Date.now() - e.at > 30_000) {
      expect.delete(key);
      return true;
    }
    for (const n of e.adds) if (podInf.getByName(ns, n)) e.adds.delete(n);
    for (const n of e.dels) {
      const p = podInf.getByName(ns, n);
      if (!p || p.metadata.deletionTimestamp) e.dels.delete(n);
    }
    if (e.adds.size === 0 && e.dels.size === 0) {
      expect.delete(key);
      return true;
    }
    return false;
  }

  async function sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ns = namespace ?? "default";
    const rs = rsInf.get(key);
    if (!rs) return;
    const sel = rsSelector(rs, kind);
    const owner: OwnerReference = {
      apiVersion: kind.apiVersion,
      kind: kind.kind,
      name,
      uid: rs.metadata.uid!,
      controller: true,
      blockOwnerDeletion: true,
    };
    // Claim pods: keep owned matching ones, adopt matching orphans, release non-matching.
    const owned: Pod[] = [];
    for (const p of podInf.list(ns)) {
      const ref = controllerRef(p);
      const matches = selectorMatches(sel, p.metadata.labels);
      if (ref) {
        if (ref.uid !== rs.metadata.uid) continue;
        if (matches || p.metadata.deletionTimestamp) owned.push(p);
        else if (!rs.metadata.deletionTimestamp) await release(p);
      } else if (matches && !p.metadata.deletionTimestamp && !rs.metadata.deletionTimestamp) {
        const adopted = await adopt(p, owner);
        if (adopted) owned.push(adopted);
      }
    }
    const active = owned.filter(isPodActive);
    if (!rs.metadata.deletionTimestamp && satisfied(key, ns)) {
      const want = rs.spec?.replicas ?? 1;
      const diff = active.length - want;
      if (diff < 0) await createPods(rs, owner, Math.min(-diff, 500), key, ns);
      else if (diff > 0) await deletePods(rs, [...active].sort(deletionRank).slice(0, diff), key, ns);
    }
    await updateStatus(rs, active);
  }

  async function adopt(p: Pod, owner: OwnerReference): Promise<Pod | null> {
    try {
      const refs = [...(p.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.uid), owner];
      return await ctx.client.patch<Pod>(R.pods, p.metadata.namespace, p.metadata.name!, "merge", {
        metadata: { ownerReferences: refs, resourceVersion: p.metadata.resourceVersion },
      });
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async function release(p: Pod): Promise<void> {
    try {
      const refs = (p.metadata.ownerReferences ?? []).filter((r) => !r.controller);
      await ctx.client.patch(R.pods, p.metadata.namespace, p.metadata.name!, "merge", {
        metadata: { ownerReferences: refs.length ? refs : null, resourceVersion: p.metadata.resourceVersion },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async function createPods(rs: ReplicaSetLike, owner: OwnerReference, n: number, key: string, ns: string) {
    const e = expect.get(key) ?? { adds: new Set<string>(), dels: new Set<string>(), at: Date.now() };
    e.at = Date.now();
    expect.set(key, e);
    const tpl = rs.spec?.template ?? {};
    const createOne = async () => {
      for (let attempt = 0; ; attempt++) {
        const podName = `${rs.metadata.name}-${randSuffix(5)}`;
        const pod: Pod = {
          apiVersion: "v1",
          kind: "Pod",
          metadata: {
            name: podName,
            namespace: ns,
            labels: { ...(tpl.metadata?.labels ?? {}) },
            ...(tpl.metadata?.annotations ? { annotations: { ...tpl.metadata.annotations } } : {}),
            ownerReferences: [owner],
          },
          spec: clone(tpl.spec ?? {}),
        };
        e.adds.add(podName);
        try {
          await ctx.client.create(R.pods, pod);
          recorder.normal(rs, "SuccessfulCreate", `Created pod: ${podName}`);
          return;
        } catch (err) {
          e.adds.delete(podName);
          if (isAlreadyExists(err) && attempt < 3) continue;
          // The namespace is terminating: nothing to create, the namespace controller empties it.
          if ((err as { code?: number }).code === 403 && /being terminated/.test((err as Error).message)) return;
          recorder.warning(rs, "FailedCreate", `Error creating: ${(err as Error).message}`);
          throw err;
        }
      }
    };
    // Slow start like upstream: batches of 1, 2, 4... stopping at the first failure, so a quota
    // or admission error costs one request (and one FailedCreate event), not n.
    let done = 0;
    for (let batch = 1; done < n; batch *= 2) {
      const size = Math.min(batch, n - done);
      const results = await Promise.allSettled(Array.from({ length: size }, createOne));
      done += size;
      const failed = results.find((r) => r.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }
  }

  async function deletePods(rs: ReplicaSetLike, pods: Pod[], key: string, ns: string) {
    const e = expect.get(key) ?? { adds: new Set<string>(), dels: new Set<string>(), at: Date.now() };
    e.at = Date.now();
    expect.set(key, e);
    await Promise.all(
      pods.map(async (p) => {
        const podName = p.metadata.name!;
        e.dels.add(podName);
        try {
          await ctx.client.delete(R.pods, ns, podName, { preconditions: { uid: p.metadata.uid } });
          recorder.normal(rs, "SuccessfulDelete", `Deleted pod: ${podName}`);
        } catch (err) {
          e.dels.delete(podName);
          if (!isNotFound(err)) throw err;
        }
      }),
    );
  }

  async function updateStatus(rs: ReplicaSetLike, active: Pod[]) {
    const minReady = rs.spec?.minReadySeconds ?? 0;
    const tplLabels = rs.spec?.template?.metadata?.labels ?? {};
    const now = Date.now();
    const status: Record<string, any> = {
      ...(rs.status ?? {}),
      replicas: active.length,
      fullyLabeledReplicas: active.filter((p) =>
        Object.entries(tplLabels).every(([k, v]) => p.metadata.labels?.[k] === v),
      ).length,
      readyReplicas: active.filter(isPodReady).length,
      availableReplicas: active.filter((p) => isPodAvailable(p, minReady, now)).length,
      observedGeneration: rs.metadata.generation ?? 1,
    };
    for (const k of ["readyReplicas", "availableReplicas"]) if (status[k] === 0) delete status[k];
    if (minReady > 0 && status.readyReplicas !== status.availableReplicas) {
      queue.addAfter(objKey(rs), minReady * 1000 + 100);
    }
    const same = JSON.stringify(sortKeys(status)) === JSON.stringify(sortKeys(rs.status ?? {}));
    if (same) return;
    try {
      const fresh = clone(rs);
      fresh.status = status;
      await ctx.client.update(kind.ref, fresh, { subresource: "status" });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  return {
    run: () => queue.start(),
    stop: () => queue.stop(),
  };
}

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
