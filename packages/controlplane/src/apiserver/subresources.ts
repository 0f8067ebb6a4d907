// Subresources other than status: scale, pods/binding, pods/eviction, CSR approval,
// namespaces/finalize and serviceaccounts/token.
import type { KubeObject, PatchType } from "../client.ts";
import type { RequestContext } from "./context.ts";
import { customScale, setReplicas } from "./crd/scale.ts";
import { ApiError, badRequest, conflict, notFound } from "./errors.ts";
import { evictPod } from "./eviction.ts";
import { applyPatch } from "./patch.ts";
import { findResource, type ResourceDef } from "./registry.ts";
import type { Store } from "./store.ts";

type Json = any;

export interface TokenIssuer {
  issue(sa: KubeObject, audiences: string[], expirationSeconds: number, boundPod?: KubeObject): Promise<string>;
}

function selectorString(def: ResourceDef, o: Json): string {
  const sel = o.spec?.selector;
  if (!sel) return "";
  if (def.resource === "replicationcontrollers")
    return Object.entries(sel)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const op = e.operator;
    if (op === "In" || op === "NotIn") parts.push(`${e.key} ${op.toLowerCase()} (${(e.values ?? []).join(",")})`);
    else if (op === "Exists") parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.join(",");
}

export function toScale(def: ResourceDef, o: KubeObject): KubeObject {
  const x = o as Json;
  if (def.crd?.scale) return customScale(def, o);
  return {
    apiVersion: "autoscaling/v1",
    kind: "Scale",
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      creationTimestamp: o.metadata.creationTimestamp,
    },
    spec: { replicas: x.spec?.replicas ?? 0 },
    status: { replicas: x.status?.replicas ?? 0, selector: selectorString(def, x) },
  };
}

export class Subresources {
  tokens?: TokenIssuer;
  constructor(private readonly store: Store) {}

  async getScale(def: ResourceDef, ns: string | undefined, name: string): Promise<KubeObject> {
    return toScale(def, await this.store.get(def, ns, name));
  }

  async updateScale(
    ctx: RequestContext,
    def: ResourceDef,
    ns: string | undefined,
    name: string,
    scale: Json,
  ): Promise<KubeObject> {
    const replicas = scale?.spec?.replicas;
    if (!Number.isInteger(replicas) || replicas < 0) {
      throw new ApiError(
        422,
        "Invalid",
        `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${replicas}: must be greater than or equal to 0`,
      );
    }
    const cur = await this.store.get(def, ns, name);
    const rv = scale?.metadata?.resourceVersion;
    if (rv && rv !== cur.metadata.resourceVersion) throw conflict(def, name);
    const next = structuredClone(cur) as Json;
    if (def.crd?.scale) setReplicas(def, next, replicas);
    else next.spec = { ...(next.spec ?? {}), replicas };
    return toScale(def, await this.store.update(ctx, def, next, { namespace: ns, name }));
  }

  async patchScale(
    ctx: RequestContext,
    def: ResourceDef,
    ns: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
  ) {
    const scaleDef = { ...def, openapi: "io.k8s.api.autoscaling.v1.Scale" };
    const scale = applyPatch(scaleDef, await this.getScale(def, ns, name), type, patch);
    return this.updateScale(ctx, def, ns, name, {
      ...scale,
      metadata: { ...scale.metadata, resourceVersion: undefined },
    });
  }

  async create(ctx: RequestContext, def: ResourceDef, ns: string | undefined, name: string, sub: string, body: Json) {
    const key = `${def.group}/${def.resource}/${sub}`;
    switch (key) {
      case "/pods/binding":
        return this.bind(ctx, def, ns, name, body);
      case "/pods/eviction":
        return evictPod(this.store, ctx, def, ns, name, body);
      case "/serviceaccounts/token":
        return this.token(def, ns, name, body);
      default:
        throw notFound(def, `${name}/${sub}`);
    }
  }

  private async bind(ctx: RequestContext, def: ResourceDef, ns: string | undefined, name: string, body: Json) {
    const node = body?.target?.name;
    if (!node || (body?.target?.kind && body.target.kind !== "Node")) {
      throw new ApiError(422, "Invalid", `Binding "${name}" is invalid: target.name: Required value`);
    }
    for (let i = 0; i < 5; i++) {
      // The first try starts from the watch cache when it is current (storage.getForUpdate); a
      // stale copy fails the compare-and-swap, and any refusal is confirmed on etcd first.
      const { obj, fromCache } =
        i === 0
          ? await this.store.storage.getForUpdate(def, ns, name)
          : { obj: await this.store.get(def, ns, name), fromCache: false };
      if (!obj) throw notFound(def, name);
      const pod = obj as Json;
      if (fromCache && (pod.metadata.deletionTimestamp || pod.spec?.nodeName)) continue;
      if (pod.metadata.deletionTimestamp)
        throw conflict(def, name, "pod is being deleted, cannot be assigned to a host");
      if (pod.spec?.nodeName)
        throw conflict(def, name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
      const next = structuredClone(pod);
      next.spec.nodeName = node;
      next.status ??= {};
      next.status.conditions = [
        ...(next.status.conditions ?? []).filter((c: Json) => c.type !== "PodScheduled"),
        {
          type: "PodScheduled",
          status: "True",
          lastProbeTime: null,
          lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        },
      ];
      for (const [k, v] of Object.entries(body?.metadata?.annotations ?? {})) {
        next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [k]: v };
      }
      try {
        await this.store.update(ctx, def, next, { namespace: ns, name, subresource: "binding" });
        return {
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Success",
          code: 201,
        } as unknown as KubeObject;
      } catch (e) {
        if (!(e instanceof ApiError && e.reason === "Conflict" && e.message.includes("modified"))) throw e;
      }
    }
    throw conflict(def, name);
  }

  private async token(def: ResourceDef, ns: string | undefined, name: string, body: Json) {
    if (!this.tokens) throw new ApiError(503, "ServiceUnavailable", "token issuing is not configured");
    const sa = await this.store.get(def, ns, name);
    const exp = Math.max(600, Math.min(body?.spec?.expirationSeconds ?? 3600, 48 * 3600));
    let pod: KubeObject | undefined;
    const ref = body?.spec?.boundObjectRef;
    if (ref?.kind === "Pod") pod = await this.store.get(findResource("", "v1", "pods")!, ns, ref.name);
    const audiences: string[] = body?.spec?.audiences?.length
      ? body.spec.audiences
      : ["https://kubernetes.default.svc"];
    const token = await this.tokens.issue(sa, audiences, exp, pod);
    return {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      metadata: { name, namespace: ns, creationTimestamp: null },
      spec: { audiences, expirationSeconds: exp, boundObjectRef: ref ?? null },
      status: { token, expirationTimestamp: new Date(Date.now() + exp * 1000).toISOString().replace(/\.\d+Z$/, "Z") },
    } as unknown as KubeObject;
  }

  /** PUT certificatesigningrequests/<name>/approval: only status.conditions change. */
  async approval(ctx: RequestContext, def: ResourceDef, name: string, body: Json): Promise<KubeObject> {
    const cur = (await this.store.get(def, undefined, name)) as Json;
    const rv = body?.metadata?.resourceVersion;
    if (rv && rv !== cur.metadata.resourceVersion) throw conflict(def, name);
    const conditions = body?.status?.conditions;
    if (!Array.isArray(conditions)) throw badRequest("status.conditions is required");
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    for (const c of conditions) {
      c.status ??= "True";
      c.lastUpdateTime ??= now;
      c.lastTransitionTime ??= now;
    }
    const types = new Set(conditions.map((c: Json) => c.type));
    if (types.has("Approved") && types.has("Denied")) {
      throw new ApiError(
        422,
        "Invalid",
        `CertificateSigningRequest.certificates.k8s.io "${name}" is invalid: status.conditions[1].type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive`,
      );
    }
    const next = structuredClone(cur);
    next.status = { ...(next.status ?? {}), conditions };
    return this.store.update(ctx, def, next, { name, subresource: "status" });
  }

  /** PUT namespaces/<name>/finalize: sets spec.finalizers (removing the namespace when empty). */
  async finalize(ctx: RequestContext, def: ResourceDef, name: string, body: Json): Promise<KubeObject> {
    const cur = (await this.store.get(def, undefined, name)) as Json;
    const next = structuredClone(cur);
    next.spec = { ...(next.spec ?? {}), finalizers: body?.spec?.finalizers ?? [] };
    return this.store.update(ctx, def, next, { name, subresource: "finalize" });
  }
}
