// The generic registry store: upstream's genericregistry.Store. Every write (HTTP or loopback)
// goes through here: metadata semantics, defaults, admission, validation, optimistic concurrency,
// graceful deletion and finalizers.

import { randomUUID } from "node:crypto";
import type { DeleteOptions, KubeObject, ListOptions, PatchType, WatchEvent } from "../client.ts";
import { parseApplyBody, serverSideApply } from "./apply.ts";
import type { RequestContext } from "./context.ts";
import { conversionFor } from "./convert.ts";
import { ApiError, alreadyExists, badRequest, conflict, gone, notFound } from "./errors.ts";
import { type ManagedFieldsEntry, trackUpdate } from "./managedfields.ts";
import { applyPatch } from "./patch.ts";
import { gvString, hasStatus, type ResourceDef } from "./registry.ts";
import { makeFilter } from "./selectors.ts";
import { ServedResources } from "./served.ts";
import type { Storage } from "./storage.ts";
import { applyDefaults, prepareStatus } from "./strategy/defaults.ts";
import { validateObject } from "./strategy/validate.ts";
import { dropDisabledFields } from "./versions.ts";

export type Operation = "CREATE" | "UPDATE" | "DELETE";

export interface AdmissionPlugin {
  name: string;
  admit?(ctx: RequestContext, op: Operation, def: ResourceDef, obj: KubeObject, old?: KubeObject): Promise<void>;
  validate?(ctx: RequestContext, op: Operation, def: ResourceDef, obj: KubeObject, old?: KubeObject): Promise<void>;
}

const clone = <T>(o: T): T => structuredClone(o);

function randomSuffix(n = 5): string {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  let s = "";
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

function specOf(o: KubeObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return JSON.stringify(rest);
}

const RV_PLACEHOLDER = "\u0000patch-base";

/** Writers without a fieldManager or User-Agent: the in-process controllers. */
export const DEFAULT_MANAGER = "kube-controller-manager";

function managerOf(ctx: RequestContext): string {
  return ctx.fieldManager || DEFAULT_MANAGER;
}

export class Store {
  admission: AdmissionPlugin[] = [];
  /** What this server serves: built-ins of its Kubernetes minor plus CRD-served resources. */
  resources = new ServedResources();
  /** Hooks run after a successful write (allocators, namespace finalizer...). */
  afterDelete: ((def: ResourceDef, obj: KubeObject) => void)[] = [];

  constructor(readonly storage: Storage) {}

  private typed(def: ResourceDef, obj: KubeObject): KubeObject {
    const conv = conversionFor(def);
    if (conv) return conv.out({ ...obj, kind: def.kind });
    return { ...obj, apiVersion: gvString(def.group, def.version), kind: def.kind };
  }

  async get(def: ResourceDef, namespace: string | undefined, name: string): Promise<KubeObject> {
    const obj = await this.storage.get(def, namespace, name);
    if (!obj) throw notFound(def, name);
    return this.typed(def, obj);
  }

  /** `cached`: may answer from the watch cache; the items are shared, read-only (HTTP lists). */
  async list(def: ResourceDef, opts: ListOptions = {}, cached = false) {
    const filter = makeFilter(opts.labelSelector, opts.fieldSelector);
    const res = await this.storage.list(def, opts.namespace, {
      limit: opts.limit,
      continue: opts.continue,
      filter,
      cached: cached === true,
    });
    // Cached items already of this version are passed as they are (read-only), so their JSON can be reused.
    const gv = gvString(def.group, def.version);
    const same = (o: KubeObject) => cached && o.apiVersion === gv && o.kind === def.kind && !conversionFor(def);
    return {
      items: res.items.map((o) => (same(o) ? o : this.typed(def, o))),
      resourceVersion: res.revision,
      continue: res.continue,
    };
  }

  watch(
    def: ResourceDef,
    opts: ListOptions,
    onEvent: (e: WatchEvent) => void,
    onError: (e: ApiError) => void,
  ): { stop(): void } {
    const filter = makeFilter(opts.labelSelector, opts.fieldSelector);
    const ns = def.namespaced ? opts.namespace : undefined;
    return this.storage.watch(
      def,
      opts.resourceVersion,
      (e) => {
        const o = e.object;
        if (ns && o.metadata.namespace !== ns) return;
        let type = e.type;
        if (filter) {
          // As upstream: an object entering the selection is ADDED, one leaving it is DELETED.
          const now = filter(o);
          const before = e.type === "MODIFIED" && e.previous ? filter(e.previous()) : now;
          if (!now && !before) return;
          if (e.type === "MODIFIED" && now && !before) type = "ADDED";
          if (e.type === "MODIFIED" && !now && before) type = "DELETED";
        }
        onEvent({ type, object: this.typed(def, o) });
      },
      (err) => {
        const msg = err.message ?? String(err);
        onError(msg.includes("compact") ? gone(`too old resource version: ${opts.resourceVersion}`) : gone(msg));
      },
    );
  }

  async create(
    ctx: RequestContext,
    def: ResourceDef,
    input: KubeObject,
    namespace?: string,
    managed?: ManagedFieldsEntry[],
  ): Promise<KubeObject> {
    const conv = conversionFor(def);
    if (conv) return conv.out(await this.create(ctx, conv.storageDef, conv.in(input), namespace, managed));
    const obj = clone(input);
    obj.metadata ??= {};
    const meta = obj.metadata;
    if (def.namespaced) {
      if (namespace && meta.namespace && meta.namespace !== namespace) {
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      meta.namespace = meta.namespace || namespace || "default";
    } else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix();
    if (meta.resourceVersion) throw badRequest("resourceVersion should not be set on objects to be created");
    meta.uid = randomUUID();
    meta.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if ("spec" in obj || def.resource === "deployments") meta.generation = 1;
    else delete meta.generation;
    Object.assign(obj, { apiVersion: gvString(def.group, def.version), kind: def.kind });
    prepareStatus(def, obj, undefined);
    applyDefaults(def, obj);
    dropDisabledFields(def, obj, this.resources.minor);
    for (const p of this.admission) await p.admit?.(ctx, "CREATE", def, obj);
    if (def.resource === "pods" && def.group === "") prepareStatus(def, obj, undefined);
    validateObject(ctx, def, obj, undefined);
    for (const p of this.admission) await p.validate?.(ctx, "CREATE", def, obj);
    const mf =
      managed ??
      trackUpdate(def, undefined, obj, { manager: managerOf(ctx), apiVersion: gvString(def.group, def.version) });
    if (mf?.length) meta.managedFields = mf;
    else delete meta.managedFields;
    if (ctx.dryRun) return obj;
    const stored = await this.storage.create(def, obj);
    if (!stored) throw alreadyExists(def, meta.name!);
    return stored;
  }

  /** Full replacement of the object (or of its status with subresource "status"). */
  async update(
    ctx: RequestContext,
    def: ResourceDef,
    input: KubeObject,
    opts: { subresource?: string; namespace?: string; name?: string } = {},
  ): Promise<KubeObject> {
    const conv = conversionFor(def);
    if (conv) return conv.out(await this.update(ctx, conv.storageDef, conv.in(input), opts));
    const obj = clone(input);
    obj.metadata ??= {};
    const name = opts.name ?? obj.metadata.name;
    if (!name) throw badRequest("name is required");
    if (opts.name && obj.metadata.name && obj.metadata.name !== opts.name) {
      throw badRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${opts.name})`,
      );
    }
    const ns = def.namespaced ? (opts.namespace ?? obj.metadata.namespace ?? "default") : undefined;
    if (def.namespaced && obj.metadata.namespace && obj.metadata.namespace !== ns) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    // From the watch cache when current; a copy found stale (precondition or compare-and-swap
    // failed) is replaced by a read from etcd before the caller hears of a conflict.
    let { obj: old, fromCache } = await this.storage.getForUpdate(def, ns, name);
    for (;;) {
      if (!old) throw notFound(def, name);
      const rv = obj.metadata.resourceVersion;
      try {
        if (rv && rv !== old.metadata.resourceVersion) throw conflict(def, name);
        return await this.replace(ctx, def, old, fromCache ? clone(obj) : obj, opts.subresource, undefined, fromCache);
      } catch (e) {
        if (!(fromCache && e instanceof ApiError && e.reason === "Conflict")) throw e;
        old = await this.storage.get(def, ns, name);
        fromCache = false;
      }
    }
  }

  private async replace(
    ctx: RequestContext,
    def: ResourceDef,
    old: KubeObject,
    incoming: KubeObject,
    subresource?: string,
    managed?: ManagedFieldsEntry[],
    oldFromCache = false,
  ): Promise<KubeObject> {
    let obj: KubeObject;
    // managedFields: [{}] clears them (as upstream); otherwise they are the server's to keep.
    const reset =
      Array.isArray(incoming.metadata?.managedFields) &&
      incoming.metadata.managedFields.length === 1 &&
      !(incoming.metadata.managedFields[0] as { manager?: string })?.manager;
    if (subresource === "status") {
      obj = clone(old);
      obj.status = incoming.status;
    } else {
      obj = incoming;
      Object.assign(obj, { apiVersion: gvString(def.group, def.version), kind: def.kind });
      const m = obj.metadata;
      const om = old.metadata;
      m.name = om.name;
      if (def.namespaced) m.namespace = om.namespace;
      m.uid = om.uid;
      m.creationTimestamp = om.creationTimestamp;
      if (om.deletionTimestamp) {
        m.deletionTimestamp = om.deletionTimestamp;
        m.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds;
      } else {
        delete m.deletionTimestamp;
        delete m.deletionGracePeriodSeconds;
      }
      if (om.deletionTimestamp) {
        const added = (m.finalizers ?? []).filter((f) => !(om.finalizers ?? []).includes(f));
        if (added.length) {
          throw new ApiError(
            422,
            "Forbidden",
            `${def.kind} "${om.name}" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
          );
        }
      }
      if (subresource !== "binding" && subresource !== "finalize") prepareStatus(def, obj, old);
      applyDefaults(def, obj);
      dropDisabledFields(def, obj, this.resources.minor);
      if (om.generation !== undefined || m.generation !== undefined) {
        m.generation = (om.generation ?? 1) + (specOf(obj) !== specOf(old) ? 1 : 0);
      }
    }
    obj.metadata.resourceVersion = old.metadata.resourceVersion;
    for (const p of this.admission) await p.admit?.(ctx, "UPDATE", def, obj, old);
    validateObject(ctx, def, obj, old);
    for (const p of this.admission) await p.validate?.(ctx, "UPDATE", def, obj, old);
    const mf = reset
      ? undefined
      : (managed ??
        trackUpdate(def, old, obj, {
          manager: managerOf(ctx),
          apiVersion: gvString(def.group, def.version),
          subresource: subresource === "status" ? "status" : undefined,
        }));
    if (mf?.length) obj.metadata.managedFields = mf;
    else delete obj.metadata.managedFields;
    if (ctx.dryRun) return this.typed(def, obj);
    const m = obj.metadata;
    if (
      m.deletionTimestamp &&
      !m.finalizers?.length &&
      !m.deletionGracePeriodSeconds &&
      !this.blockedByNsFinalizers(def, obj)
    ) {
      const ok = await this.storage.remove(def, obj, old.metadata.resourceVersion!);
      if (!ok) throw conflict(def, m.name!);
      for (const h of this.afterDelete) h(def, obj);
      return this.typed(def, obj);
    }
    // A write that changes nothing is not written (as upstream's GuaranteedUpdate): no new
    // resourceVersion, no watch event, no etcd round trip.
    // A cached `old` may be stale (HA: another API server wrote): confirm on etcd that it is
    // still the current revision before skipping, else the caller retries from etcd.
    if (JSON.stringify(obj) === JSON.stringify(old)) {
      if (!oldFromCache) return this.typed(def, old);
      const cur = await this.storage.get(def, m.namespace, m.name!);
      if (cur?.metadata.resourceVersion === old.metadata.resourceVersion) return this.typed(def, old);
      throw conflict(def, m.name!);
    }
    const stored = await this.storage.update(def, obj, old.metadata.resourceVersion!);
    if (!stored) throw conflict(def, m.name!);
    return this.typed(def, stored);
  }

  private blockedByNsFinalizers(def: ResourceDef, obj: KubeObject): boolean {
    return def.resource === "namespaces" && def.group === "" && ((obj.spec as any)?.finalizers?.length ?? 0) > 0;
  }

  async patch(
    ctx: RequestContext,
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    type: PatchType | "apply",
    patch: unknown,
    subresource?: string,
  ): Promise<KubeObject> {
    const ns = def.namespaced ? (namespace ?? "default") : undefined;
    if (type === "apply") return this.apply(ctx, def, ns, name, patch, subresource);
    for (let attempt = 0; ; attempt++) {
      // The first attempt may start from the watch cache (see update()); retries read etcd.
      const { obj: old, fromCache } =
        attempt === 0
          ? await this.storage.getForUpdate(def, ns, name)
          : { obj: await this.storage.get(def, ns, name), fromCache: false };
      if (!old) throw notFound(def, name);
      // The patch is applied to the current object with a placeholder resourceVersion: if the
      // result still carries the placeholder, the patch asked for no precondition, and a conflict
      // with a concurrent writer is retried on the new object, as upstream's GuaranteedUpdate does.
      const current = this.typed(def, old);
      const base = clone(current);
      base.metadata.resourceVersion = RV_PLACEHOLDER;
      const patched = applyPatch(def, base, type, patch);
      if (!patched.metadata || typeof patched.metadata !== "object") throw badRequest("metadata must be an object");
      const wantRv = patched.metadata.resourceVersion === RV_PLACEHOLDER ? undefined : patched.metadata.resourceVersion;
      patched.metadata.resourceVersion = old.metadata.resourceVersion;
      if (wantRv && wantRv !== old.metadata.resourceVersion) {
        if (fromCache) continue;
        throw conflict(def, name);
      }
      try {
        const conv = conversionFor(def);
        if (conv) {
          return conv.out(
            await this.replace(ctx, conv.storageDef, old, conv.in(patched), subresource, undefined, fromCache),
          );
        }
        return await this.replace(ctx, def, old, patched, subresource, undefined, fromCache);
      } catch (e) {
        if (e instanceof ApiError && e.reason === "Conflict" && (fromCache || (!wantRv && attempt < 20))) continue;
        throw e;
      }
    }
  }

  /** Server-side apply: create or merge, with field ownership (apply.ts). */
  private async apply(
    ctx: RequestContext,
    def: ResourceDef,
    ns: string | undefined,
    name: string,
    body: unknown,
    subresource?: string,
  ): Promise<KubeObject> {
    if (!ctx.fieldManager) throw badRequest("PATCH requests with apply must specify a fieldManager");
    const applied = (typeof body === "string" ? parseApplyBody(body) : body) as KubeObject;
    if (!applied || typeof applied !== "object" || Array.isArray(applied))
      throw badRequest("the apply body must be an object");
    if (applied.metadata?.name && applied.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    if (def.namespaced && applied.metadata?.namespace && applied.metadata.namespace !== ns) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    const opts = { manager: ctx.fieldManager, force: ctx.force === true, subresource };
    for (let attempt = 0; ; attempt++) {
      const old = await this.storage.get(def, ns, name);
      if (!old) {
        if (subresource) throw notFound(def, name);
        const merged = serverSideApply(def, undefined, applied, opts);
        merged.metadata.name = name;
        try {
          return await this.create(ctx, def, merged, ns, merged.metadata.managedFields as ManagedFieldsEntry[]);
        } catch (e) {
          if (e instanceof ApiError && e.reason === "AlreadyExists" && attempt < 5) continue;
          throw e;
        }
      }
      const current = this.typed(def, old);
      const wantRv = applied.metadata?.resourceVersion;
      if (wantRv && wantRv !== old.metadata.resourceVersion) throw conflict(def, name);
      const merged = serverSideApply(def, current, applied, opts);
      merged.metadata.resourceVersion = old.metadata.resourceVersion;
      try {
        return await this.replace(
          ctx,
          def,
          old,
          merged,
          subresource,
          (merged.metadata.managedFields as ManagedFieldsEntry[] | undefined) ?? [],
        );
      } catch (e) {
        if (e instanceof ApiError && e.reason === "Conflict" && !wantRv && attempt < 20 && !e.details?.causes) continue;
        throw e;
      }
    }
  }

  async delete(
    ctx: RequestContext,
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): Promise<KubeObject> {
    const ns = def.namespaced ? (namespace ?? "default") : undefined;
    for (let attempt = 0; ; attempt++) {
      const old = await this.storage.get(def, ns, name);
      if (!old) throw notFound(def, name);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== old.metadata.uid) {
        throw conflict(
          def,
          name,
          `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`,
        );
      }
      if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
        throw conflict(
          def,
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`,
        );
      }
      for (const p of this.admission) await p.validate?.(ctx, "DELETE", def, old, old);
      const obj = clone(old);
      const m = obj.metadata;
      const finalizers = new Set(m.finalizers ?? []);
      let grace = 0;
      if (def.resource === "pods" && def.group === "") {
        const phase = (obj.status as any)?.phase;
        const bound = !!(obj.spec as any)?.nodeName;
        grace = opts.gracePeriodSeconds ?? (obj.spec as any)?.terminationGracePeriodSeconds ?? 30;
        if (!bound || phase === "Succeeded" || phase === "Failed") grace = 0;
        if (m.deletionTimestamp && m.deletionGracePeriodSeconds !== undefined)
          grace = Math.min(grace, m.deletionGracePeriodSeconds);
      }
      if (opts.propagationPolicy === "Foreground") finalizers.add("foregroundDeletion");
      if (opts.propagationPolicy === "Orphan") finalizers.add("orphan");
      const isNs = def.resource === "namespaces" && def.group === "";
      if (isNs) {
        (obj.spec as any) = {
          ...((obj.spec as any) ?? {}),
          finalizers: (obj.spec as any)?.finalizers ?? ["kubernetes"],
        };
        (obj.status as any) = { ...((obj.status as any) ?? {}), phase: "Terminating" };
      }
      const needsMark = finalizers.size > 0 || grace > 0 || isNs;
      if (ctx.dryRun) return this.typed(def, obj);
      try {
        if (!needsMark) {
          const ok = await this.storage.remove(def, old, old.metadata.resourceVersion!);
          if (!ok) throw conflict(def, name);
          for (const h of this.afterDelete) h(def, old);
          return this.typed(def, old);
        }
        if (m.deletionTimestamp && grace >= (m.deletionGracePeriodSeconds ?? 0) && sameSet(finalizers, m.finalizers)) {
          return this.typed(def, old); // already being deleted; nothing to shorten
        }
        const now = Date.now();
        m.deletionTimestamp ??= new Date(now + grace * 1000).toISOString().replace(/\.\d+Z$/, "Z");
        if (grace < (m.deletionGracePeriodSeconds ?? Number.POSITIVE_INFINITY)) {
          m.deletionTimestamp = new Date(now + grace * 1000).toISOString().replace(/\.\d+Z$/, "Z");
        }
        m.deletionGracePeriodSeconds = grace;
        m.finalizers = [...finalizers];
        if (!m.finalizers.length) delete m.finalizers;
        if (!m.finalizers && grace === 0 && !isNs) {
          const ok = await this.storage.remove(def, old, old.metadata.resourceVersion!);
          if (!ok) throw conflict(def, name);
          for (const h of this.afterDelete) h(def, old);
          return this.typed(def, old);
        }
        const stored = await this.storage.update(def, obj, old.metadata.resourceVersion!);
        if (!stored) throw conflict(def, name);
        return this.typed(def, stored);
      } catch (e) {
        if (e instanceof ApiError && e.reason === "Conflict" && attempt < 5 && !pre) continue;
        throw e;
      }
    }
  }
}

function sameSet(a: Set<string>, b: string[] | undefined): boolean {
  const bs = new Set(b ?? []);
  return a.size === bs.size && [...a].every((x) => bs.has(x));
}

export { hasStatus };
