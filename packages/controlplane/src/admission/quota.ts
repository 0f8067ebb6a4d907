// ResourceQuota and LimitRange admission. computeQuotaUsage is shared with the resourcequota
// status controller so admission and status always agree on what is used.
import type { RequestContext } from "../apiserver/context.ts";
import { ApiError } from "../apiserver/errors.ts";
import { formatQuantity, parseQuantity } from "../apiserver/quantity.ts";
import { findResource, type ResourceDef } from "../apiserver/registry.ts";
import type { AdmissionPlugin, Store } from "../apiserver/store.ts";
import type { Client, KubeObject } from "../client.ts";

type Json = any;
const r = (g: string, v: string, res: string) => findResource(g, v, res)!;
const QUOTA = r("", "v1", "resourcequotas");
const LIMITS = r("", "v1", "limitranges");

/** Objects counted by a quota resource name ("pods", "count/deployments.apps", "services"...). */
const COUNTED: Record<string, ResourceDef> = {
  pods: r("", "v1", "pods"),
  services: r("", "v1", "services"),
  configmaps: r("", "v1", "configmaps"),
  secrets: r("", "v1", "secrets"),
  persistentvolumeclaims: r("", "v1", "persistentvolumeclaims"),
  replicationcontrollers: r("", "v1", "replicationcontrollers"),
  resourcequotas: QUOTA,
};

function countKey(def: ResourceDef): string {
  return def.group ? `count/${def.resource}.${def.group}` : `count/${def.resource}`;
}

function podActive(p: Json): boolean {
  const phase = p.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed";
}

/** What one object adds to each quota resource. */
export function usageOf(def: ResourceDef, obj: KubeObject): Record<string, number> {
  const u: Record<string, number> = { [countKey(def)]: 1 };
  const o = obj as Json;
  if (def.group === "" && COUNTED[def.resource]) u[def.resource] = 1;
  if (def.group === "" && def.resource === "pods") {
    if (!podActive(o)) return {};
    for (const c of o.spec?.containers ?? []) {
      for (const res of ["cpu", "memory", "ephemeral-storage"]) {
        const rq = parseQuantity(c.resources?.requests?.[res]);
        const lim = parseQuantity(c.resources?.limits?.[res]);
        if (rq !== undefined) {
          u[`requests.${res}`] = (u[`requests.${res}`] ?? 0) + rq;
          u[res] = (u[res] ?? 0) + rq;
        }
        if (lim !== undefined) u[`limits.${res}`] = (u[`limits.${res}`] ?? 0) + lim;
      }
    }
  }
  if (def.group === "" && def.resource === "services") {
    const t = o.spec?.type;
    if (t === "NodePort" || t === "LoadBalancer") u["services.nodeports"] = (o.spec?.ports ?? []).length;
    if (t === "LoadBalancer") u["services.loadbalancers"] = 1;
  }
  if (def.group === "" && def.resource === "persistentvolumeclaims") {
    const s = parseQuantity(o.spec?.resources?.requests?.storage);
    if (s !== undefined) u["requests.storage"] = s;
  }
  return u;
}

function defsFor(hard: Record<string, string>): ResourceDef[] {
  const out = new Set<ResourceDef>();
  for (const k of Object.keys(hard)) {
    if (/^(requests\.|limits\.)?(cpu|memory|ephemeral-storage)$/.test(k) || k === "pods") out.add(COUNTED.pods!);
    else if (k.startsWith("services")) out.add(COUNTED.services!);
    else if (k === "requests.storage") out.add(COUNTED.persistentvolumeclaims!);
    else if (COUNTED[k]) out.add(COUNTED[k]!);
    else if (k.startsWith("count/")) {
      const [res, ...g] = k.slice(6).split(".");
      const group = g.join(".");
      const def = (group === "apps" ? findResource("apps", "v1", res!) : undefined) ?? findResource(group, "v1", res!);
      if (def) out.add(def);
    }
  }
  return [...out];
}

function sum(into: Record<string, number>, add: Record<string, number>, keys: string[]): void {
  for (const k of keys) if (add[k] !== undefined) into[k] = (into[k] ?? 0) + add[k]!;
}

async function usageNumbers(
  list: (def: ResourceDef) => Promise<KubeObject[]>,
  hard: Record<string, string>,
): Promise<Record<string, number>> {
  const keys = Object.keys(hard);
  const used: Record<string, number> = Object.fromEntries(keys.map((k) => [k, 0]));
  for (const def of defsFor(hard)) for (const o of await list(def)) sum(used, usageOf(def, o), keys);
  return used;
}

/** Current usage of a namespace for the resources a quota's spec.hard names, formatted as quantities. */
export async function computeQuotaUsage(
  client: Client,
  namespace: string,
  hard: Record<string, string>,
): Promise<Record<string, string>> {
  const used = await usageNumbers(
    async (def) =>
      (await client.list({ group: def.group, version: def.version, resource: def.resource }, { namespace })).items,
    hard,
  );
  return Object.fromEntries(Object.entries(used).map(([k, v]) => [k, formatQuantity(k, v)]));
}

function who(def: ResourceDef, obj: KubeObject): string {
  return `${def.group ? `${def.resource}.${def.group}` : def.resource} "${obj.metadata.name}"`;
}

export function resourceQuotaAdmission(store: Store): AdmissionPlugin {
  return {
    name: "ResourceQuota",
    async validate(_ctx: RequestContext, op, def, obj, old) {
      if (op === "DELETE" || !def.namespaced || def === QUOTA) return;
      const ns = obj.metadata.namespace!;
      const quotas = (await store.storage.list(QUOTA, ns)).items;
      if (!quotas.length) return;
      const delta = usageOf(def, obj);
      if (old) {
        const before = usageOf(def, old);
        for (const k of Object.keys(delta)) delta[k] = delta[k]! - (before[k] ?? 0);
        if (def.resource === "pods") return; // pod resources are immutable
      }
      for (const q of quotas) {
        const hard: Record<string, string> = (q as Json).spec?.hard ?? {};
        const relevant = Object.keys(hard).filter((k) => (delta[k] ?? 0) > 0);
        if (def.group === "" && def.resource === "pods" && !old) {
          const missing = Object.keys(hard).filter(
            (k) =>
              /^(requests|limits)\.(cpu|memory)$/.test(k) &&
              (obj as Json).spec?.containers?.some((c: Json) => {
                const [kind, res] = k.split(".") as [string, string];
                return c.resources?.[kind]?.[res] === undefined;
              }),
          );
          if (missing.length) {
            throw new ApiError(
              403,
              "Forbidden",
              `${who(def, obj)} is forbidden: failed quota: ${q.metadata.name}: must specify ${missing.sort().join(",")}`,
            );
          }
        }
        if (!relevant.length) continue;
        const used = await usageNumbers(
          async (d) => (await store.storage.list(d, ns)).items.filter((x) => x.metadata.uid !== obj.metadata.uid),
          hard,
        );
        const over = relevant.filter((k) => (used[k] ?? 0) + delta[k]! > (parseQuantity(hard[k]) ?? 0) + 1e-9);
        if (over.length) {
          const fmt = (vals: (k: string) => string) => over.map((k) => `${k}=${vals(k)}`).join(",");
          throw new ApiError(
            403,
            "Forbidden",
            `${who(def, obj)} is forbidden: exceeded quota: ${q.metadata.name}, requested: ${fmt((k) => formatQuantity(k, delta[k]!))}, used: ${fmt((k) => formatQuantity(k, used[k] ?? 0))}, limited: ${fmt((k) => hard[k]!)}`,
          );
        }
      }
    },
  };
}

export function limitRangeAdmission(store: Store): AdmissionPlugin {
  return {
    name: "LimitRanger",
    async admit(_ctx, op, def, obj) {
      if (op !== "CREATE" || def.group !== "" || def.resource !== "pods") return;
      const ranges = (await store.storage.list(LIMITS, obj.metadata.namespace)).items;
      const errs: string[] = [];
      for (const lr of ranges) {
        for (const item of ((lr as Json).spec?.limits ?? []) as Json[]) {
          if (item.type !== "Container") continue;
          for (const c of ((obj as Json).spec?.containers ?? []) as Json[]) {
            c.resources ??= {};
            const res = c.resources;
            for (const [k, v] of Object.entries(item.default ?? {})) {
              res.limits ??= {};
              res.limits[k] ??= v;
            }
            for (const [k, v] of Object.entries(item.defaultRequest ?? item.default ?? {})) {
              res.requests ??= {};
              res.requests[k] ??= res.limits?.[k] && !item.defaultRequest?.[k] ? res.limits[k] : v;
            }
            for (const [k, min] of Object.entries(item.min ?? {})) {
              const rq = res.requests?.[k];
              if (rq === undefined) errs.push(`minimum ${k} usage per Container is ${min}.  No request is specified`);
              else if (parseQuantity(rq)! < parseQuantity(min)!)
                errs.push(`minimum ${k} usage per Container is ${min}, but request is ${rq}`);
            }
            for (const [k, max] of Object.entries(item.max ?? {})) {
              const lim = res.limits?.[k];
              if (lim === undefined) errs.push(`maximum ${k} usage per Container is ${max}.  No limit is specified`);
              else if (parseQuantity(lim)! > parseQuantity(max)!)
                errs.push(`maximum ${k} usage per Container is ${max}, but limit is ${lim}`);
            }
          }
        }
      }
      if (errs.length) {
        throw new ApiError(
          403,
          "Forbidden",
          `pods "${obj.metadata.name}" is forbidden: ${errs.length === 1 ? errs[0] : `[${errs.join(", ")}]`}`,
        );
      }
    },
  };
}
