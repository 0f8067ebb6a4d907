import type { OwnerReference } from "../client.ts";
import type { ControllerContext, RunningController } from "./context.ts";
import { calculateStatus, setDeploymentCondition, syncProgressing } from "./deployment-status.ts";
import {
  copyableAnnotations,
  DESIRED_REPLICAS,
  type Deployment,
  HASH_LABEL,
  isRecreate,
  MAX_REPLICAS,
  maxSurge,
  newRSNewReplicas,
  planOldScaleDown,
  podTemplateHash,
  REVISION,
  REVISION_HISTORY,
  type ReplicaSet,
  revisionOf,
  specReplicas,
  templatesEqual,
} from "./deployment-util.ts";
import { canonicalEq } from "./equal.ts";
import { type Pod, selectorMatches } from "./podutil.ts";
import { clone, controllerRef, isAlreadyExists, isNotFound, nowIso, objKey, R, splitKey } from "./refs.ts";
import { WorkQueue } from "./workqueue.ts";

// Deployment controller: one ReplicaSet per pod template (named <deploy>-<pod-template-hash>),
// rolling update within maxSurge/maxUnavailable or Recreate, revisions, history cleanup, pause,
// proportional scaling and status, like upstream.

export function startDeploymentController(ctx: ControllerContext): RunningController {
  const dInf = ctx.informers.for<Deployment>(R.deployments);
  const rsInf = ctx.informers.for<ReplicaSet>(R.replicasets);
  const podInf = ctx.informers.for<Pod>(R.pods);
  const recorder = ctx.recorder("deployment-controller");
  const queue = new WorkQueue((k) => sync(k), { name: "deployment", workers: 2, log: ctx.log });

  const enqueueForRS = (rs: ReplicaSet) => {
    const ref = controllerRef(rs);
    if (ref?.kind === "Deployment") return queue.add(`${rs.metadata.namespace}/${ref.name}`);
    if (ref) return;
    for (const d of dInf.list(rs.metadata.namespace)) {
      if (selectorMatches(d.spec.selector, rs.metadata.labels)) queue.add(objKey(d));
    }
  };
  dInf.addHandler({
    add: (d) => queue.add(objKey(d)),
    update: (_o, d) => queue.add(objKey(d)),
    delete: (d) => queue.add(objKey(d)),
  });
  rsInf.addHandler({ add: enqueueForRS, update: (_o, n) => enqueueForRS(n), delete: enqueueForRS });
  // Recreate waits for old pods to be gone.
  podInf.addHandler({
    delete: (p) => {
      const ref = controllerRef(p);
      if (ref?.kind !== "ReplicaSet") return;
      const rs = rsInf.getByName(p.metadata.namespace, ref.name);
      if (rs) enqueueForRS(rs);
    },
  });

  async function sync(key: string): Promise<void> {
    const d = dInf.get(key);
    if (!d) return;
    const { namespace } = splitKey(key);
    const ns = namespace ?? "default";
    const allRSs = await claimReplicaSets(d, ns);
    if (d.metadata.deletionTimestamp) return;
    const now = nowIso();
    let { newRS, oldRSs } = split(d, allRSs);
    await cleanup(d, oldRSs);

    if (d.spec.paused || isScaling(d, allRSs, newRS)) {
      await scale(d, newRS, oldRSs);
      if (d.spec.paused) return writeStatus(d, [...oldRSs, ...(newRS ? [newRS] : [])], newRS, oldRSs, now);
      ({ newRS, oldRSs } = split(
        d,
        rsInf.list(ns).filter((r) => controllerRef(r)?.uid === d.metadata.uid),
      ));
    }

    newRS = await ensureNewRS(d, newRS, oldRSs, ns, allRSs);
    if (!newRS) return;
    const all = [...oldRSs, newRS];
    if (isRecreate(d)) {
      for (const rs of oldRSs) if (specReplicas(rs) > 0) await scaleRS(d, rs, 0);
      const oldPods = podInf.list(ns).filter((p) => {
        const ref = controllerRef(p);
        return (
          ref &&
          oldRSs.some((r) => r.metadata.uid === ref.uid) &&
          p.status?.phase !== "Succeeded" &&
          p.status?.phase !== "Failed"
        );
      });
      if (oldPods.length === 0 && specReplicas(newRS) !== (d.spec.replicas ?? 1)) {
        newRS = await scaleRS(d, newRS, d.spec.replicas ?? 1);
      }
    } else {
      const want =
        specReplicas(newRS) > (d.spec.replicas ?? 1) ? (d.spec.replicas ?? 1) : newRSNewReplicas(d, all, newRS);
      if (want !== specReplicas(newRS)) newRS = await scaleRS(d, newRS, want);
      const plan = planOldScaleDown(d, oldRSs, newRS);
      for (const rs of oldRSs) {
        const n = plan.get(rs.metadata.name!);
        if (n !== undefined && n !== specReplicas(rs)) await scaleRS(d, rs, n);
      }
    }
    const fresh = rsInf.list(ns).filter((r) => controllerRef(r)?.uid === d.metadata.uid);
    const s = split(d, fresh);
    await writeStatus(d, fresh, s.newRS ?? newRS, s.oldRSs, now);
  }

  function split(d: Deployment, rss: ReplicaSet[]) {
    const matching = rss
      .filter((r) => templatesEqual(r.spec.template, d.spec.template))
      .sort((a, b) => Date.parse(a.metadata.creationTimestamp ?? "") - Date.parse(b.metadata.creationTimestamp ?? ""));
    const newRS = matching[0];
    return { newRS, oldRSs: rss.filter((r) => r !== newRS) };
  }

  function isScaling(d: Deployment, all: ReplicaSet[], _newRS: ReplicaSet | undefined): boolean {
    const want = String(d.spec.replicas ?? 1);
    return all.some(
      (r) =>
        specReplicas(r) > 0 &&
        r.metadata.annotations?.[DESIRED_REPLICAS] !== undefined &&
        r.metadata.annotations[DESIRED_REPLICAS] !== want,
    );
  }

  async function claimReplicaSets(d: Deployment, ns: string): Promise<ReplicaSet[]> {
    const out: ReplicaSet[] = [];
    for (const rs of rsInf.list(ns)) {
      const ref = controllerRef(rs);
      if (ref?.uid === d.metadata.uid) out.push(rs);
      else if (
        !ref &&
        !d.metadata.deletionTimestamp &&
        selectorMatches(d.spec.selector, rs.metadata.labels) &&
        !rs.metadata.deletionTimestamp
      ) {
        try {
          const owner = ownerOf(d);
          out.push(
            await ctx.client.patch<ReplicaSet>(R.replicasets, ns, rs.metadata.name!, "merge", {
              metadata: {
                ownerReferences: [...(rs.metadata.ownerReferences ?? []), owner],
                resourceVersion: rs.metadata.resourceVersion,
              },
            }),
          );
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
    }
    return out;
  }

  function ownerOf(d: Deployment): OwnerReference {
    return {
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: d.metadata.name!,
      uid: d.metadata.uid!,
      controller: true,
      blockOwnerDeletion: true,
    };
  }

  function rsAnnotations(d: Deployment, rs: ReplicaSet | undefined, revision: number): Record<string, string> {
    const a: Record<string, string> = { ...(rs?.metadata.annotations ?? {}), ...copyableAnnotations(d) };
    const old = rs ? revisionOf(rs) : 0;
    if (rs && old > 0 && old < revision) {
      const hist = rs.metadata.annotations?.[REVISION_HISTORY];
      a[REVISION_HISTORY] = hist ? `${hist},${old}` : String(old);
    }
    if (revision > old) a[REVISION] = String(revision);
    a[DESIRED_REPLICAS] = String(d.spec.replicas ?? 1);
    a[MAX_REPLICAS] = String((d.spec.replicas ?? 1) + maxSurge(d));
    return a;
  }

  async function ensureNewRS(
    d: Deployment,
    newRS: ReplicaSet | undefined,
    oldRSs: ReplicaSet[],
    ns: string,
    allRSs: ReplicaSet[],
  ) {
    const maxOld = oldRSs.reduce((m, r) => Math.max(m, revisionOf(r)), 0);
    const revision = newRS && revisionOf(newRS) > maxOld ? revisionOf(newRS) : maxOld + 1;
    if (newRS) {
      const a = rsAnnotations(d, newRS, revision);
      const needs =
        !canonicalEq(a, newRS.metadata.annotations ?? {}) ||
        (newRS.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
      if (needs) {
        const upd = clone(newRS);
        upd.metadata.annotations = a;
        upd.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
        newRS = await ctx.client.update<ReplicaSet>(R.replicasets, upd);
      }
      await setDeploymentRevision(d, revisionOf(newRS));
      return newRS;
    }
    const collision = d.status?.collisionCount ?? 0;
    const hash = podTemplateHash(d.spec.template, collision);
    const name = `${d.metadata.name}-${hash}`;
    const tpl = clone(d.spec.template ?? {});
    tpl.metadata = { ...(tpl.metadata ?? {}), labels: { ...(tpl.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
    const sel = clone(d.spec.selector ?? {});
    sel.matchLabels = { ...(sel.matchLabels ?? {}), [HASH_LABEL]: hash };
    const rs: ReplicaSet = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name,
        namespace: ns,
        labels: { ...(tpl.metadata.labels as Record<string, string>) },
        annotations: rsAnnotations(d, undefined, revision),
        ownerReferences: [ownerOf(d)],
      },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector: sel, template: tpl },
    };
    rs.spec.replicas = newRSNewReplicas(d, [...allRSs, rs], rs);
    try {
      const created = await ctx.client.create<ReplicaSet>(R.replicasets, rs);
      if (specReplicas(created) > 0) {
        recorder.normal(d, "ScalingReplicaSet", `Scaled up replica set ${name} from 0 to ${specReplicas(created)}`);
      }
      const conds = setDeploymentCondition(
        d.status?.conditions ?? [],
        {
          type: "Progressing",
          status: "True",
          reason: "NewReplicaSetCreated",
          message: `Created new replica set "${name}"`,
        },
        nowIso(),
      );
      const upd = clone(d);
      upd.status = { ...(d.status ?? {}), conditions: conds };
      await ctx.client.update(R.deployments, upd, { subresource: "status" }).catch(() => {});
      await setDeploymentRevision(d, revision);
      return created;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await ctx.client.get<ReplicaSet>(R.replicasets, ns, name);
      if (controllerRef(existing)?.uid === d.metadata.uid && templatesEqual(existing.spec.template, d.spec.template))
        return existing;
      // Hash collision: bump collisionCount and retry on the next sync.
      const upd = clone(d);
      upd.status = { ...(d.status ?? {}), collisionCount: collision + 1 };
      await ctx.client.update(R.deployments, upd, { subresource: "status" });
      return undefined;
    }
  }

  async function setDeploymentRevision(d: Deployment, revision: number) {
    if (d.metadata.annotations?.[REVISION] === String(revision)) return;
    await ctx.client.patch(R.deployments, d.metadata.namespace, d.metadata.name!, "merge", {
      metadata: { annotations: { [REVISION]: String(revision) } },
    });
  }

  async function scaleRS(d: Deployment, rs: ReplicaSet, n: number): Promise<ReplicaSet> {
    const from = specReplicas(rs);
    const upd = clone(rs);
    upd.spec.replicas = n;
    upd.metadata.annotations = {
      ...(upd.metadata.annotations ?? {}),
      [DESIRED_REPLICAS]: String(d.spec.replicas ?? 1),
      [MAX_REPLICAS]: String((d.spec.replicas ?? 1) + maxSurge(d)),
    };
    const out = await ctx.client.update<ReplicaSet>(R.replicasets, upd);
    if (from !== n) {
      recorder.normal(
        d,
        "ScalingReplicaSet",
        `Scaled ${n > from ? "up" : "down"} replica set ${rs.metadata.name} from ${from} to ${n}`,
      );
    }
    return out;
  }

  /** Scaling while paused or mid-rollout: proportional like upstream, leftovers to the newest. */
  async function scale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]) {
    const replicas = d.spec.replicas ?? 1;
    const active = [...oldRSs, ...(newRS ? [newRS] : [])].filter((r) => specReplicas(r) > 0);
    if (active.length === 0) {
      if (newRS && specReplicas(newRS) !== replicas) await scaleRS(d, newRS, replicas);
      return;
    }
    if (active.length === 1) {
      const only = active[0]!;
      if (specReplicas(only) !== replicas) await scaleRS(d, only, replicas);
      return;
    }
    const allowed = replicas + maxSurge(d);
    const current = active.reduce((s, r) => s + specReplicas(r), 0);
    let toAdd = allowed - current;
    if (toAdd === 0) return;
    const byNewest = [...active].sort(
      (a, b) => Date.parse(b.metadata.creationTimestamp ?? "") - Date.parse(a.metadata.creationTimestamp ?? ""),
    );
    const targets = new Map<ReplicaSet, number>();
    for (const rs of byNewest) {
      const share = Math.trunc((specReplicas(rs) * toAdd) / current);
      targets.set(rs, specReplicas(rs) + share);
    }
    const added = [...targets].reduce((s, [rs, n]) => s + n - specReplicas(rs), 0);
    toAdd -= added;
    const first = byNewest[0]!;
    targets.set(first, Math.max(0, (targets.get(first) ?? 0) + toAdd));
    for (const [rs, n] of targets) if (n !== specReplicas(rs)) await scaleRS(d, rs, Math.max(0, n));
  }

  async function cleanup(d: Deployment, oldRSs: ReplicaSet[]) {
    const limit = d.spec.revisionHistoryLimit ?? 10;
    const idle = oldRSs
      .filter((r) => specReplicas(r) === 0 && (r.status?.replicas ?? 0) === 0 && !r.metadata.deletionTimestamp)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    const extra = idle.length - limit;
    for (let i = 0; i < extra; i++) {
      const rs = idle[i]!;
      try {
        await ctx.client.delete(R.replicasets, rs.metadata.namespace, rs.metadata.name!, {
          preconditions: { uid: rs.metadata.uid },
        });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  async function writeStatus(
    d: Deployment,
    all: ReplicaSet[],
    newRS: ReplicaSet | undefined,
    oldRSs: ReplicaSet[],
    now: string,
  ) {
    const latest = dInf.get(objKey(d)) ?? d;
    const st = calculateStatus(latest, all, newRS, now);
    const recheck = syncProgressing(latest, st, newRS, oldRSs, now);
    if (recheck !== undefined) queue.addAfter(objKey(d), recheck);
    if (canonicalEq(st, latest.status ?? {})) return;
    const upd = clone(latest);
    upd.status = st;
    try {
      await ctx.client.update(R.deployments, upd, { subresource: "status" });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }

  return { run: () => queue.start(), stop: () => queue.stop() };
}
