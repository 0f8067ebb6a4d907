import { findByKind, RESOURCES, verbsOf } from "../apiserver/registry.ts";
import type { KubeObject, OwnerReference, ResourceRef } from "../client.ts";
import type { ControllerContext, RunningController } from "./context.ts";
import { SharedInformer } from "./informer.ts";
import { clone, isConflict, isNotFound } from "./refs.ts";
import { WorkQueue } from "./workqueue.ts";

// Garbage collector: a graph of ownerReferences across every stored resource, kept by the
// shared informers. Dependents whose owners are all gone are deleted (background); an owner
// with the foregroundDeletion finalizer has its blocking dependents deleted first; an owner
// with the orphan finalizer has its dependents' ownerReferences removed; then the finalizer goes.
// Custom resources are in the graph too: each CustomResourceDefinition adds an informer on its
// resource (stopped when the CRD goes), so a CR can own and be owned, and deleting it cascades.

interface GNode {
  ref: ResourceRef;
  obj: KubeObject;
}

const CRDS: ResourceRef = { group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions" };

interface Crd extends KubeObject {
  spec: {
    group: string;
    scope: string;
    names: { plural: string; kind: string };
    versions: { name: string; served: boolean; storage: boolean }[];
  };
}

const FOREGROUND = "foregroundDeletion";
const ORPHAN = "orphan";

/** Resources the collector watches: stored, listable, watchable, deletable (events excluded: never owned). */
export function gcResources(): ResourceRef[] {
  return RESOURCES.filter(
    (d) =>
      d.stored !== false && d.resource !== "events" && ["list", "watch", "delete"].every((v) => verbsOf(d).includes(v)),
  ).map((d) => ({ group: d.group, version: d.version, resource: d.resource }));
}

export function startGarbageCollector(ctx: ControllerContext): RunningController {
  const byUid = new Map<string, GNode>();
  const dependents = new Map<string, Set<string>>(); // owner uid -> dependent uids
  const queue = new WorkQueue((k) => sync(k), { name: "garbagecollector", workers: 2, log: ctx.log, maxDelayMs: 5000 });

  function link(uid: string, o: KubeObject, add: boolean) {
    for (const r of o.metadata.ownerReferences ?? []) {
      let s = dependents.get(r.uid);
      if (add) {
        if (!s) dependents.set(r.uid, (s = new Set()));
        s.add(uid);
      } else s?.delete(uid);
    }
  }
  function onUpsert(ref: ResourceRef, o: KubeObject) {
    const uid = o.metadata.uid;
    if (!uid) return;
    const old = byUid.get(uid);
    if (old) link(uid, old.obj, false);
    byUid.set(uid, { ref, obj: o });
    link(uid, o, true);
    if ((o.metadata.ownerReferences ?? []).length) queue.add(uid); // an owner may already be gone
    const fins = o.metadata.finalizers ?? [];
    if (o.metadata.deletionTimestamp && (fins.includes(FOREGROUND) || fins.includes(ORPHAN))) queue.add(uid);
    // A dependent changing may unblock an owner waiting in foreground deletion.
    for (const r of o.metadata.ownerReferences ?? []) {
      const owner = byUid.get(r.uid);
      if (owner?.obj.metadata.finalizers?.includes(FOREGROUND)) queue.add(r.uid);
    }
  }
  function onDelete(o: KubeObject) {
    const uid = o.metadata.uid;
    if (!uid) return;
    byUid.delete(uid);
    link(uid, o, false);
    for (const dep of dependents.get(uid) ?? []) queue.add(dep);
    for (const r of o.metadata.ownerReferences ?? [])
      if (byUid.get(r.uid)?.obj.metadata.deletionTimestamp) queue.add(r.uid);
  }
  const handlers = (ref: ResourceRef) => ({
    add: (o: KubeObject) => onUpsert(ref, o),
    update: (_o: KubeObject, n: KubeObject) => onUpsert(ref, n),
    delete: (o: KubeObject) => onDelete(o),
  });
  for (const ref of gcResources()) ctx.informers.for(ref).addHandler(handlers(ref));

  // Custom resources: "<apiVersion>|<kind>" of every served version -> where to read it, and one
  // informer per CRD (on a served version; the API server converts).
  const crKinds = new Map<string, { ref: ResourceRef; namespaced: boolean }>();
  const crInformers = new Map<string, { key: string; informer: SharedInformer }>(); // CRD name ->
  let running = false;
  function crdChanged(crd: Crd) {
    const { group, names, scope, versions } = crd.spec;
    for (const [k, v] of [...crKinds]) if (v.ref.group === group && v.ref.resource === names.plural) crKinds.delete(k);
    const served = versions.filter((v) => v.served);
    for (const v of served) {
      crKinds.set(`${group}/${v.name}|${names.kind}`, {
        ref: { group, version: v.name, resource: names.plural },
        namespaced: scope === "Namespaced",
      });
    }
    const watchVersion = (served.find((v) => v.storage) ?? served[0])?.name;
    const name = crd.metadata.name!;
    const key = `${group}/${watchVersion}/${names.plural}`;
    if (crInformers.get(name)?.key === key) return;
    crdGone(name);
    if (!watchVersion) return;
    const ref = { group, version: watchVersion, resource: names.plural };
    const informer = new SharedInformer(ctx.client, ref, ctx.log);
    informer.addHandler(handlers(ref));
    crInformers.set(name, { key, informer });
    if (running) informer.start();
  }
  function crdGone(name: string) {
    crInformers.get(name)?.informer.stop();
    crInformers.delete(name);
  }
  ctx.informers.for<Crd>(CRDS).addHandler({
    add: (crd) => crdChanged(crd),
    update: (_o, crd) => crdChanged(crd),
    delete: (crd) => {
      for (const [k, v] of [...crKinds]) {
        if (v.ref.group === crd.spec.group && v.ref.resource === crd.spec.names.plural) crKinds.delete(k);
      }
      crdGone(crd.metadata.name!);
    },
  });

  function resolveKind(apiVersion: string, kind: string): { ref: ResourceRef; namespaced: boolean } | undefined {
    const def = findByKind(apiVersion, kind);
    if (def)
      return { ref: { group: def.group, version: def.version, resource: def.resource }, namespaced: def.namespaced };
    return crKinds.get(`${apiVersion}|${kind}`);
  }

  /** Is the owner gone? Cache first, then the API server (the cache may lag). */
  async function ownerAbsent(r: OwnerReference, namespace: string | undefined): Promise<boolean> {
    if (byUid.has(r.uid)) return false;
    const kind = resolveKind(r.apiVersion, r.kind);
    if (!kind) return false; // unknown kind: never collect on a guess
    try {
      const o = await ctx.client.get(kind.ref, kind.namespaced ? namespace : undefined, r.name);
      return o.metadata.uid !== r.uid;
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
  }

  async function sync(uid: string) {
    const node = byUid.get(uid);
    if (!node) return;
    const o = node.obj;
    const fins = o.metadata.finalizers ?? [];
    if (o.metadata.deletionTimestamp && fins.includes(ORPHAN)) await orphanDependents(node);
    else if (o.metadata.deletionTimestamp && fins.includes(FOREGROUND)) await foreground(node);
    await collectIfOrphaned(node);
  }

  async function collectIfOrphaned(node: GNode) {
    const o = node.obj;
    const refs = o.metadata.ownerReferences ?? [];
    if (!refs.length || o.metadata.deletionTimestamp) return;
    const absent: OwnerReference[] = [];
    let waitingOwner = false;
    for (const r of refs) {
      if (await ownerAbsent(r, o.metadata.namespace)) absent.push(r);
      else if (byUid.get(r.uid)?.obj.metadata.finalizers?.includes(FOREGROUND)) waitingOwner = true;
    }
    if (absent.length === 0) return;
    if (absent.length === refs.length && !waitingOwner) {
      try {
        await ctx.client.delete(node.ref, o.metadata.namespace, o.metadata.name!, {
          propagationPolicy: "Background",
          preconditions: { uid: o.metadata.uid },
        });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
      return;
    }
    // Some owners remain: drop only the dangling references.
    const gone = new Set(absent.map((r) => r.uid));
    await patchOwners(
      node,
      refs.filter((r) => !gone.has(r.uid)),
    );
  }

  async function patchOwners(node: GNode, refs: OwnerReference[]) {
    const o = node.obj;
    try {
      await ctx.client.patch(node.ref, o.metadata.namespace, o.metadata.name!, "merge", {
        metadata: { ownerReferences: refs.length ? refs : null },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async function removeFinalizer(node: GNode, fin: string) {
    for (let attempt = 0; attempt < 5; attempt++) {
      let cur: KubeObject;
      try {
        cur = await ctx.client.get(node.ref, node.obj.metadata.namespace, node.obj.metadata.name!);
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      if (cur.metadata.uid !== node.obj.metadata.uid || !cur.metadata.finalizers?.includes(fin)) return;
      const upd = clone(cur);
      upd.metadata.finalizers = cur.metadata.finalizers.filter((f) => f !== fin);
      try {
        await ctx.client.update(node.ref, upd);
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err)) throw err;
      }
    }
    throw new Error(`could not remove finalizer ${fin}: conflicts`);
  }

  async function orphanDependents(node: GNode) {
    const uid = node.obj.metadata.uid!;
    for (const d of [...(dependents.get(uid) ?? [])]) {
      const dep = byUid.get(d);
      if (!dep) continue;
      await patchOwners(
        dep,
        (dep.obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid),
      );
    }
    await removeFinalizer(node, ORPHAN);
  }

  async function foreground(node: GNode) {
    const uid = node.obj.metadata.uid!;
    let blocking = 0;
    for (const d of [...(dependents.get(uid) ?? [])]) {
      const dep = byUid.get(d);
      if (!dep) continue;
      const ref = dep.obj.metadata.ownerReferences?.find((r) => r.uid === uid);
      if (ref?.blockOwnerDeletion) blocking++;
      if (dep.obj.metadata.deletionTimestamp) continue;
      try {
        await ctx.client.delete(dep.ref, dep.obj.metadata.namespace, dep.obj.metadata.name!, {
          propagationPolicy: "Foreground",
          preconditions: { uid: d },
        });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
    if (blocking === 0) await removeFinalizer(node, FOREGROUND);
  }

  return {
    run: () => {
      running = true;
      for (const { informer } of crInformers.values()) informer.start();
      queue.start();
    },
    stop: async () => {
      running = false;
      for (const name of [...crInformers.keys()]) crdGone(name);
      await queue.stop();
    },
  };
}
