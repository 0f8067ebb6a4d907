// The in-process Client: the same store, admission and validation as HTTP, as system:apiserver.
import {
  ApiError,
  type Client,
  type DeleteOptions,
  type KubeObject,
  type ListOptions,
  type PatchType,
  type ResourceRef,
  type WatchEvent,
} from "../client.ts";
import { loopbackContext } from "./context.ts";
import { findResource, type ResourceDef } from "./registry.ts";
import type { Store } from "./store.ts";
import type { Subresources } from "./subresources.ts";

function resolve(ref: ResourceRef, store: Store): ResourceDef {
  const def =
    store.resources.find(ref.group, ref.version, ref.resource) ?? findResource(ref.group, ref.version, ref.resource);
  if (!def || def.stored === false) {
    throw new ApiError(
      404,
      "NotFound",
      `the server could not find the requested resource (${ref.resource}.${ref.group || "core"}/${ref.version})`,
    );
  }
  return def;
}

export function createLoopbackClient(store: Store, subs: Subresources): Client {
  return {
    async get<T extends KubeObject>(ref: ResourceRef, namespace: string | undefined, name: string) {
      return (await store.get(resolve(ref, store), namespace, name)) as T;
    },
    async list<T extends KubeObject>(ref: ResourceRef, opts: ListOptions = {}) {
      return (await store.list(resolve(ref, store), opts)) as {
        items: T[];
        resourceVersion: string;
        continue?: string;
      };
    },
    watch<T extends KubeObject>(
      ref: ResourceRef,
      opts: ListOptions,
      onEvent: (e: WatchEvent<T>) => void,
      onError?: (err: ApiError) => void,
    ) {
      let def: ResourceDef;
      try {
        def = resolve(ref, store);
      } catch (e) {
        queueMicrotask(() => onError?.(e as ApiError));
        return { stop() {} };
      }
      return store.watch(def, opts, onEvent as (e: WatchEvent) => void, (e) => onError?.(e));
    },
    async create<T extends KubeObject>(ref: ResourceRef, obj: T, opts: { dryRun?: boolean } = {}) {
      const ctx = { ...loopbackContext(), dryRun: opts.dryRun };
      return (await store.create(ctx, resolve(ref, store), obj, obj.metadata?.namespace)) as T;
    },
    async update<T extends KubeObject>(ref: ResourceRef, obj: T, opts: { subresource?: "status" } = {}) {
      return (await store.update(loopbackContext(), resolve(ref, store), obj, { subresource: opts.subresource })) as T;
    },
    async patch<T extends KubeObject>(
      ref: ResourceRef,
      namespace: string | undefined,
      name: string,
      type: PatchType,
      patch: unknown,
      opts: { subresource?: string } = {},
    ) {
      const def = resolve(ref, store);
      if (opts.subresource === "scale")
        return (await subs.patchScale(loopbackContext(), def, namespace, name, type, patch)) as T;
      return (await store.patch(loopbackContext(), def, namespace, name, type, patch, opts.subresource)) as T;
    },
    async delete(ref: ResourceRef, namespace: string | undefined, name: string, opts: DeleteOptions = {}) {
      return store.delete({ ...loopbackContext(), dryRun: opts.dryRun }, resolve(ref, store), namespace, name, opts);
    },
    async createSubresource<T extends KubeObject>(
      ref: ResourceRef,
      namespace: string | undefined,
      name: string,
      subresource: string,
      body: KubeObject,
    ) {
      const def = resolve(ref, store);
      const ctx = loopbackContext();
      if (subresource === "approval") return (await subs.approval(ctx, def, name, body)) as T;
      if (subresource === "finalize") return (await subs.finalize(ctx, def, name, body)) as T;
      return (await subs.create(ctx, def, namespace, name, subresource, body)) as T;
    },
  };
}
