import type { KubeObject } from "../client.ts";
import type { ControllerContext, RunningController } from "./context.ts";
import { type ControllerRevision, currentRevision, truncateHistory } from "./controllerrevision.ts";
import { isPodAvailable, isPodReady, type Pod } from "./podutil.ts";
import { clone, controllerRef, isAlreadyExists, isNotFound, objKey, R, splitKey } from "./refs.ts";
import { ownerRefTo, podFromTemplate, writeStatus } from "./workload-util.ts";
import { WorkQueue } from "./workqueue.ts";

// StatefulSet controller, after upstream's pkg/controller/statefulset: pods `<set>-<ordinal>`
// with hostname/subdomain for the headless Service, one PVC per volumeClaimTemplate and ordinal
// (`<template>-<set>-<ordinal>`, bound by the PV controller), OrderedReady (one pod at a time,
// each Running and Ready before the next; scale down from the highest ordinal) or Parallel,
// RollingUpdate from the highest ordinal down to `partition`, or OnDelete; ControllerRevisions
// (`controller-revision-hash: <set>-<hash>`), persistentVolumeClaimRetentionPolicy.

type Json = any;
export type StatefulSet = KubeObject & { spec?: Json; status?: Json };

const ORDINAL = /^(.*)-(\d+)$/;

function ordinalOf(set: StatefulSet, p: Pod): number | undefined {
  const m = ORDINAL.exec(p.metadata.name ?? "");
  if (!m || m[1] !== set.metadata.name) return undefined;
  return Number.parseInt(m[2]!, 10);
}

function templateOf(rev: ControllerRevision | undefined, set: StatefulSet): Json {
  const t = rev?.data?.spec?.template;
  if (!t) return set.spec?.template ?? {};
  const c = clone(t);
  delete c.$patch;
  return c;
}

export function startStatefulSetController(ctx: ControllerContext): RunningController {
  const setInf = ctx.informers.for<StatefulSet>(R.statefulsets);
  const podInf = ctx.informers.for<Pod>(R.pods);
  const pvcInf = ctx.informers.for<KubeObject & { spec?: Json }>(R.persistentvolumeclaims);
  const crInf = ctx.informers.for<ControllerRevision>(R.controllerrevisions);
  const recorder = ctx.recorder("statefulset-controller");
  const pending = new Map<string, { names: Set<string>; at: number }>();
  const queue = new WorkQueue(sync, { name: "statefulset-controller", workers: 2, log: ctx.log });

  setInf.addHandler({
    add: (s) => queue.add(objKey(s)),
    update: (_o, s) => queue.add(objKey(s)),
    delete: (s) => pending.delete(objKey(s)),
  });
  const onPod = (p: Pod) => {
    const ref = controllerRef(p);
    if (ref?.kind === "StatefulSet") queue.add(`${p.metadata.namespace}/${ref.name}`);
  };
  podInf.addHandler({ add: onPod, update: (_o, p) => onPod(p), delete: onPod });

  function settled(key: string, ns: string): boolean {
    const e = pending.get(key);
    if (!e) return true;
    for (const n of e.names) {
      const p = podInf.getByName(ns, n);
      if (p) e.names.delete(n);
    }
    if (!e.names.size || Date.now() - e.at > 30_000) {
      pending.delete(key);
      return true;
    }
    return false;
  }

  async function ensureClaims(set: StatefulSet, podName: string, ns: string): Promise<Json[]> {
    const vols: Json[] = [];
    const selLabels = set.spec?.selector?.matchLabels ?? {};
    for (const t of set.spec?.volumeClaimTemplates ?? []) {
      const claimName = `${t.metadata?.name}-${podName}`;
      vols.push({ name: t.metadata?.name, persistentVolumeClaim: { claimName } });
      if (pvcInf.getByName(ns, claimName)) continue;
      const whenDeleted = set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted ?? "Retain";
      const claim: KubeObject & { spec?: Json } = {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: {
          name: claimName,
          namespace: ns,
          labels: { ...(t.metadata?.labels ?? {}), ...selLabels },
          ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
          ...(whenDeleted === "Delete"
            ? { ownerReferences: [{ ...ownerRefTo(set, "apps/v1", "StatefulSet"), controller: true }] }
            : {}),
        },
        spec: clone(t.spec ?? {}),
      };
      try {
        await ctx.client.create(R.persistentvolumeclaims, claim);
        recorder.normal(
          set,
          "SuccessfulCreate",
          `create Claim ${claimName} Pod ${podName} in StatefulSet ${set.metadata.name} success`,
        );
      } catch (err) {
        if (!isAlreadyExists(err)) {
          recorder.warning(
            set,
            "FailedCreate",
            `create Claim ${claimName} for Pod ${podName} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`,
          );
          throw err;
        }
      }
    }
    return vols;
  }

  async function createPod(set: StatefulSet, ordinal: number, rev: ControllerRevision, ns: string, key: string) {
    const name = `${set.metadata.name}-${ordinal}`;
    const template = templateOf(rev, set);
    const vols = await ensureClaims(set, name, ns);
    const pod = podFromTemplate(template, ns, ownerRefTo(set, "apps/v1", "StatefulSet"), {
      name,
      labels: {
        "controller-revision-hash": rev.metadata.name!,
        "statefulset.kubernetes.io/pod-name": name,
        "apps.kubernetes.io/pod-index": String(ordinal),
      },
    });
    const spec = pod.spec as Json;
    spec.hostname = name;
    if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
    const names = new Set(vols.map((v) => v.name));
    spec.volumes = [...(spec.volumes ?? []).filter((v: Json) => !names.has(v.name)), ...vols];
    const e = pending.get(key) ?? { names: new Set<string>(), at: Date.now() };
    e.at = Date.now();
    pending.set(key, e);
    e.names.add(name);
    try {
      await ctx.client.create(R.pods, pod);
      recorder.normal(set, "SuccessfulCreate", `create Pod ${name} in StatefulSet ${set.metadata.name} successful`);
    } catch (err) {
      e.names.delete(name);
      if (isAlreadyExists(err)) return;
      if ((err as { code?: number }).code === 403 && /being terminated/.test((err as Error).message)) return;
      recorder.warning(
        set,
        "FailedCreate",
        `create Pod ${name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`,
      );
      throw err;
    }
  }

  async function deletePod(set: StatefulSet, p: Pod, scaledDown: boolean) {
    if (scaledDown && set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled === "Delete") {
      for (const t of set.spec?.volumeClaimTemplates ?? []) {
        const claimName = `${t.metadata?.name}-${p.metadata.name}`;
        const claim = pvcInf.getByName(p.metadata.namespace, claimName);
        if (!claim) continue;
        const refs = (claim.metadata.ownerReferences ?? []).filter((r) => r.kind !== "StatefulSet");
        refs.push({
          apiVersion: "v1",
          kind: "Pod",
          name: p.metadata.name!,
          uid: p.metadata.uid!,
          controller: true,
          blockOwnerDeletion: true,
        });
        await ctx.client
          .patch(R.persistentvolumeclaims, p.metadata.namespace, claimName, "merge", {
            metadata: { ownerReferences: refs },
          })
          .catch((err) => {
            if (!isNotFound(err)) throw err;
          });
      }
    }
    try {
      await ctx.client.delete(R.pods, p.metadata.namespace, p.metadata.name!, {
        preconditions: { uid: p.metadata.uid },
      });
      recorder.normal(
        set,
        "SuccessfulDelete",
        `delete Pod ${p.metadata.name} in StatefulSet ${set.metadata.name} successful`,
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async function sync(key: string): Promise<void> {
    const { namespace } = splitKey(key);
    const ns = namespace ?? "default";
    const set = setInf.get(key);
    if (!set || set.metadata.deletionTimestamp) return;
    const { revision: updateRev, all: revs } = await currentRevision(ctx, crInf, set, "StatefulSet");
    const currentRevName: string = set.status?.currentRevision ?? updateRev.metadata.name!;
    const currentRev = revs.find((r) => r.metadata.name === currentRevName) ?? updateRev;
    const replicas = set.spec?.replicas ?? 1;
    const start = set.spec?.ordinals?.start ?? 0;
    const parallel = set.spec?.podManagementPolicy === "Parallel";
    const rolling = (set.spec?.updateStrategy?.type ?? "RollingUpdate") === "RollingUpdate";
    const partition = rolling ? (set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0) : 0;
    const minReady = set.spec?.minReadySeconds ?? 0;
    const now = Date.now();

    const owned = podInf.list(ns).filter((p) => controllerRef(p)?.uid === set.metadata.uid);
    const byOrdinal = new Map<number, Pod>();
    const condemned: Pod[] = [];
    for (const p of owned) {
      const o = ordinalOf(set, p);
      if (o === undefined) continue;
      if (o >= start && o < start + replicas) byOrdinal.set(o, p);
      else condemned.push(p);
    }
    const revFor = (o: number) => (rolling && o - start < partition ? currentRev : updateRev);
    const healthy = (p: Pod | undefined) =>
      !!p && !p.metadata.deletionTimestamp && p.status?.phase === "Running" && isPodReady(p);

    if (settled(key, ns)) {
      let blocked = false;
      for (let o = start; o < start + replicas; o++) {
        const p = byOrdinal.get(o);
        if (p?.status?.phase === "Failed" && !p.metadata.deletionTimestamp) {
          recorder.warning(
            set,
            "RecreatingFailedPod",
            `StatefulSet ${ns}/${set.metadata.name} is recreating failed Pod ${p.metadata.name}`,
          );
          await deletePod(set, p, false);
          if (!parallel) blocked = true;
          continue;
        }
        if (!p) {
          await createPod(set, o, revFor(o - start + start), ns, key);
          if (!parallel) {
            blocked = true;
            break;
          }
          continue;
        }
        if (!parallel && !healthy(p)) {
          blocked = true;
          break;
        }
      }
      // Scale down: highest ordinal first, one at a time unless Parallel, after the rest is healthy.
      if (!blocked) {
        const sorted = [...condemned].sort((a, b) => (ordinalOf(set, b) ?? 0) - (ordinalOf(set, a) ?? 0));
        for (const p of sorted) {
          if (p.metadata.deletionTimestamp) {
            if (!parallel) {
              blocked = true;
              break;
            }
            continue;
          }
          await deletePod(set, p, true);
          if (!parallel) {
            blocked = true;
            break;
          }
        }
      }
      // Rolling update: from the highest ordinal down to the partition, one pod at a time.
      if (!blocked && rolling) {
        const all = [...byOrdinal.values()];
        const allHealthy = all.length === replicas && all.every(healthy);
        if (allHealthy) {
          for (let o = start + replicas - 1; o >= start + partition; o--) {
            const p = byOrdinal.get(o)!;
            if (p.metadata.labels?.["controller-revision-hash"] !== updateRev.metadata.name) {
              await deletePod(set, p, false);
              break;
            }
          }
        }
      }
    }

    const live = [...byOrdinal.values(), ...condemned].filter((p) => !p.metadata.deletionTimestamp);
    const hashOf = (p: Pod) => p.metadata.labels?.["controller-revision-hash"];
    const updated = live.filter((p) => hashOf(p) === updateRev.metadata.name).length;
    const current = live.filter((p) => hashOf(p) === currentRev.metadata.name).length;
    const status: Json = {
      ...(set.status ?? {}),
      observedGeneration: set.metadata.generation ?? 1,
      replicas: live.length,
      readyReplicas: live.filter(isPodReady).length,
      availableReplicas: live.filter((p) => isPodAvailable(p, minReady, now)).length,
      currentReplicas: current,
      updatedReplicas: updated,
      currentRevision: currentRev.metadata.name,
      updateRevision: updateRev.metadata.name,
      collisionCount: set.status?.collisionCount ?? 0,
    };
    if (updated === replicas && live.length === replicas && status.readyReplicas === replicas) {
      status.currentRevision = updateRev.metadata.name;
      status.currentReplicas = updated;
    }
    for (const k of ["readyReplicas", "availableReplicas", "currentReplicas", "updatedReplicas"])
      if (!status[k]) delete status[k];
    if (minReady > 0 && status.readyReplicas !== status.availableReplicas) queue.addAfter(key, minReady * 1000 + 100);
    const keep = new Set(live.map((p) => hashOf(p) ?? ""));
    keep.add(updateRev.metadata.name!);
    keep.add(status.currentRevision);
    await truncateHistory(ctx, revs, keep, set.spec?.revisionHistoryLimit ?? 10);
    await writeStatus(ctx, R.statefulsets, set, status);
  }

  return { run: () => queue.start(), stop: () => queue.stop() };
}
