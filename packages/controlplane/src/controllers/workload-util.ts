import type { KubeObject, OwnerReference, ResourceRef } from "../client.ts";
import type { ControllerContext } from "./context.ts";
import type { Condition, Pod } from "./podutil.ts";
import { clone, isNotFound, nowIso } from "./refs.ts";

// Helpers shared by the DaemonSet, StatefulSet, Job and CronJob controllers.

type Json = any;

export function ownerRefTo(o: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return {
    apiVersion,
    kind,
    name: o.metadata.name!,
    uid: o.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** A pod from a template (labels, annotations, spec), owned by `owner`. */
export function podFromTemplate(
  template: Json,
  namespace: string,
  owner: OwnerReference,
  meta: {
    name?: string;
    generateName?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
  },
): Pod {
  const tm = template?.metadata ?? {};
  const annotations = { ...(tm.annotations ?? {}), ...(meta.annotations ?? {}) };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      ...(meta.name ? { name: meta.name } : { generateName: meta.generateName }),
      namespace,
      labels: { ...(tm.labels ?? {}), ...(meta.labels ?? {}) },
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ...(meta.finalizers?.length ? { finalizers: meta.finalizers } : {}),
      ownerReferences: [owner],
    },
    spec: clone(template?.spec ?? {}),
  };
}

/** Writes `status` through the status subresource when it changed (ignores a vanished object). */
export async function writeStatus(
  ctx: ControllerContext,
  ref: ResourceRef,
  obj: KubeObject & { status?: Json },
  status: Json,
): Promise<void> {
  if (stableJson(status) === stableJson(obj.status ?? {})) return;
  const next = clone(obj) as Json;
  next.status = status;
  try {
    await ctx.client.update(ref, next, { subresource: "status" });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

export function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b)))
      : x,
  );
}

/** Sets a condition (status True unless given), keeping lastTransitionTime when unchanged. */
export function upsertCondition(
  conds: Condition[] | undefined,
  c: Condition,
  extra: Record<string, unknown> = {},
): Condition[] {
  const list = [...(conds ?? [])];
  const i = list.findIndex((x) => x.type === c.type);
  const now = nowIso();
  if (i >= 0) {
    const old = list[i]!;
    if (old.status === c.status && old.reason === c.reason && old.message === c.message) return list;
    list[i] = { ...old, ...c, ...extra, lastTransitionTime: old.status === c.status ? old.lastTransitionTime : now };
    return list;
  }
  list.push({ ...c, ...extra, lastTransitionTime: now });
  return list;
}

/** Integer or percentage (rounded up or down) of `total`, like intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v === "number") return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) {
    const n = Number.parseInt(v, 10);
    return Number.isNaN(n) ? dflt : n;
  }
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** FNV-32a hash of a JSON value, safe-encoded like upstream's ComputeHash (revision names). */
export function templateHash(v: unknown, collisionCount = 0): string {
  let h = 0x811c9dc5;
  const s = stableJson(v) + (collisionCount ? String(collisionCount) : "");
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  let n = h >>> 0;
  let out = "";
  do {
    out += alphabet[n % alphabet.length];
    n = Math.floor(n / alphabet.length);
  } while (n > 0);
  return out;
}

export function isPodTerminal(p: Pod): boolean {
  return p.status?.phase === "Succeeded" || p.status?.phase === "Failed";
}
