import type { KubeObject } from "../client.ts";
import type { ControllerContext } from "./context.ts";
import type { SharedInformer } from "./informer.ts";
import type { LabelSelector } from "./podutil.ts";
import { controllerRef, isAlreadyExists, isNotFound, R } from "./refs.ts";
import { ownerRefTo, stableJson, templateHash } from "./workload-util.ts";

// ControllerRevisions for DaemonSets and StatefulSets, like upstream's controller/history: one
// revision per distinct pod template, named `<owner>-<hash>`, labelled like the template so
// `kubectl rollout history/undo` find them; returning to an older template reuses its revision
// under a new number; revisions beyond revisionHistoryLimit that no live pod uses are deleted.

type Json = any;
export type ControllerRevision = KubeObject & { data?: Json; revision?: number };

/** What a revision stores: the template, as a strategic merge patch replacing it (upstream's getPatch). */
export function revisionData(owner: Json): Json {
  const template = structuredClone(owner.spec?.template ?? {});
  template.$patch = "replace";
  return { spec: { template } };
}

export function ownedRevisions(
  crInf: SharedInformer<ControllerRevision>,
  owner: KubeObject,
  selector: LabelSelector | undefined,
): ControllerRevision[] {
  void selector;
  return crInf
    .list(owner.metadata.namespace)
    .filter((r) => controllerRef(r)?.uid === owner.metadata.uid)
    .sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
}

/**
 * Finds or creates the revision of the owner's current template. Returns it, with its hash
 * (the `controller-revision-hash` of DaemonSet pods; StatefulSets use the revision name).
 */
export async function currentRevision(
  ctx: ControllerContext,
  crInf: SharedInformer<ControllerRevision>,
  owner: Json,
  kind: "DaemonSet" | "StatefulSet",
): Promise<{ revision: ControllerRevision; hash: string; all: ControllerRevision[] }> {
  const data = revisionData(owner);
  const revs = ownedRevisions(crInf, owner, owner.spec?.selector);
  const max = revs.reduce((m, r) => Math.max(m, r.revision ?? 0), 0);
  const same = revs.filter((r) => stableJson(r.data) === stableJson(data));
  if (same.length) {
    const cur = same[same.length - 1]!;
    const hash =
      cur.metadata.labels?.["controller-revision-hash"] ?? cur.metadata.name!.slice(owner.metadata.name.length + 1);
    if ((cur.revision ?? 0) < max) {
      // Back to an older template (rollout undo): that revision becomes the newest.
      const updated = await ctx.client.patch<ControllerRevision>(
        R.controllerrevisions,
        cur.metadata.namespace,
        cur.metadata.name!,
        "merge",
        { revision: max + 1 },
      );
      return { revision: updated, hash, all: revs.map((r) => (r.metadata.uid === updated.metadata.uid ? updated : r)) };
    }
    return { revision: cur, hash, all: revs };
  }
  let collision = owner.status?.collisionCount ?? 0;
  for (let attempt = 0; attempt < 5; attempt++, collision++) {
    const hash = templateHash(owner.spec?.template ?? {}, collision);
    const name = `${owner.metadata.name}-${hash}`;
    const cr: ControllerRevision = {
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      metadata: {
        name,
        namespace: owner.metadata.namespace,
        labels: { ...(owner.spec?.template?.metadata?.labels ?? {}), "controller-revision-hash": hash },
        ...(owner.metadata.annotations?.["kubernetes.io/change-cause"]
          ? { annotations: { "kubernetes.io/change-cause": owner.metadata.annotations["kubernetes.io/change-cause"] } }
          : {}),
        ownerReferences: [ownerRefTo(owner, "apps/v1", kind)],
      },
      data,
      revision: max + 1,
    };
    try {
      const created = await ctx.client.create<ControllerRevision>(R.controllerrevisions, cr);
      return { revision: created, hash, all: [...revs, created] };
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await ctx.client.get<ControllerRevision>(R.controllerrevisions, cr.metadata.namespace, name);
      if (stableJson(existing.data) === stableJson(data) && controllerRef(existing)?.uid === owner.metadata.uid) {
        return { revision: existing, hash, all: [...revs, existing] };
      }
    }
  }
  throw new Error(`could not name a ControllerRevision for ${kind} ${owner.metadata.name}: hash collisions`);
}

/** Deletes the oldest revisions beyond the limit, except the ones in `live`. */
export async function truncateHistory(
  ctx: ControllerContext,
  revs: ControllerRevision[],
  live: Set<string>,
  limit: number,
): Promise<void> {
  const candidates = revs
    .filter((r) => !live.has(r.metadata.name!))
    .sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
  const excess = candidates.length - limit;
  for (const r of candidates.slice(0, Math.max(0, excess))) {
    try {
      await ctx.client.delete(R.controllerrevisions, r.metadata.namespace, r.metadata.name!);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
