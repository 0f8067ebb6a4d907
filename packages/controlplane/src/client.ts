// The contract between the API server and everything that runs beside it in the control-plane
// process (controllers, scheduler, garbage collector). It mirrors the Kubernetes REST verbs, so
// code written against it behaves as upstream controllers do against the API server; the
// API server provides an in-process ("loopback") implementation that goes through the same
// validation, admission and storage as an HTTP request, without TLS or JSON round-trips.

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [k: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [k: string]: unknown;
}

/** Names a resource the way the REST paths do: group "" is the core group. */
export interface ResourceRef {
  group: string;
  version: string;
  resource: string; // plural, lower case: "pods", "deployments"
}

export interface ListOptions {
  namespace?: string; // omitted: all namespaces (for namespaced resources)
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface ListResult<T extends KubeObject = KubeObject> {
  items: T[];
  resourceVersion: string;
  continue?: string;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  object: T;
}

export interface WatchHandle {
  stop(): void;
}

export type PatchType = "json" | "merge" | "strategic";

export interface DeleteOptions {
  propagationPolicy?: "Foreground" | "Background" | "Orphan";
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

/** Failures carry the upstream Status: code (404, 409, 422, 403...) and reason ("NotFound"...). */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface Client {
  get<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, name: string): Promise<T>;
  list<T extends KubeObject = KubeObject>(ref: ResourceRef, opts?: ListOptions): Promise<ListResult<T>>;
  /** Events after opts.resourceVersion (from "now" when absent); onError gets 410 Gone etc. */
  watch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    opts: ListOptions,
    onEvent: (e: WatchEvent<T>) => void,
    onError?: (err: ApiError) => void,
  ): WatchHandle;
  create<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: T, opts?: { dryRun?: boolean }): Promise<T>;
  /** Replaces the object; metadata.resourceVersion must match (409 Conflict otherwise). */
  update<T extends KubeObject = KubeObject>(ref: ResourceRef, obj: T, opts?: { subresource?: "status" }): Promise<T>;
  patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts?: { subresource?: string },
  ): Promise<T>;
  delete(ref: ResourceRef, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<KubeObject>;
  /** POST to a subresource, e.g. pods/binding or pods/eviction. */
  createSubresource<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    subresource: string,
    body: KubeObject,
  ): Promise<T>;
}
