// metadata.managedFields: field sets in upstream's FieldsV1 format ("f:<field>", "k:<json keys>",
// "v:<json value>", "i:<index>", "." for the element itself), built by walking objects with
// the OpenAPI (or CRD) schema so lists merge the way upstream's structured-merge-diff does:
// x-kubernetes-list-type map (by x-kubernetes-list-map-keys), set, or atomic.
import { definition } from "../openapi/index.ts";
import type { ResourceDef } from "./registry.ts";

type Json = any;
/** A FieldsV1 tree: {} is a member leaf; "." marks an inner node that is itself a member. */
export type FieldSet = Record<string, Json>;
export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time?: string;
  fieldsType?: "FieldsV1";
  fieldsV1?: FieldSet;
  subresource?: string;
}

const isObj = (v: unknown): v is Record<string, Json> => !!v && typeof v === "object" && !Array.isArray(v);

// ---- schema walking ----

export function resolveSchema(s: Json): Json {
  let cur = s;
  for (let i = 0; i < 10 && cur; i++) {
    if (cur.$ref) {
      const extra = { ...cur };
      delete extra.$ref;
      const target = definition(String(cur.$ref).replace("#/definitions/", ""));
      cur = target ? { ...target, ...pickListHints(extra) } : undefined;
    } else if (Array.isArray(cur.allOf) && cur.allOf.length === 1 && !cur.properties) {
      cur = { ...cur.allOf[0], ...pickListHints(cur) };
      delete cur.allOf;
    } else break;
  }
  return cur;
}

function pickListHints(s: Json): Json {
  const out: Json = {};
  for (const k of Object.keys(s ?? {})) if (k.startsWith("x-kubernetes-")) out[k] = s[k];
  return out;
}

export function rootSchema(def: ResourceDef): Json {
  if (def.crd) return def.crd.schema ?? { type: "object", "x-kubernetes-preserve-unknown-fields": true };
  return resolveSchema({ $ref: `#/definitions/${def.openapi}` });
}

function field(schema: Json, key: string): Json {
  if (!schema) return undefined;
  if (schema.properties?.[key]) return resolveSchema(schema.properties[key]);
  if (isObj(schema.additionalProperties)) return resolveSchema(schema.additionalProperties);
  return undefined;
}

type ListKind = { type: "map"; keys: string[] } | { type: "set" } | { type: "atomic" };

function listKind(schema: Json): ListKind {
  const t = schema?.["x-kubernetes-list-type"];
  if (t === "map" && Array.isArray(schema["x-kubernetes-list-map-keys"]))
    return { type: "map", keys: schema["x-kubernetes-list-map-keys"] };
  if (t === "set") return { type: "set" };
  if (t === "atomic") return { type: "atomic" };
  const mk = schema?.["x-kubernetes-patch-merge-key"];
  if (mk && String(schema["x-kubernetes-patch-strategy"] ?? "").includes("merge")) return { type: "map", keys: [mk] };
  return { type: "atomic" };
}

function isMapType(schema: Json): boolean {
  return !!schema && !schema.properties && isObj(schema.additionalProperties);
}

function isAtomicMap(schema: Json): boolean {
  return schema?.["x-kubernetes-map-type"] === "atomic";
}

function itemKey(item: Json, keys: string[]): string {
  // Upstream sorts the key names inside k:{...}.
  const o: Json = {};
  for (const k of [...keys].sort()) if (isObj(item) && item[k] !== undefined) o[k] = item[k];
  return `k:${JSON.stringify(o)}`;
}

function defaultKeyed(item: Json, keys: string[]): Json {
  // ports are keyed by containerPort+protocol; protocol defaults to TCP.
  if (isObj(item) && keys.includes("protocol") && item.protocol === undefined) return { ...item, protocol: "TCP" };
  return item;
}

const setKey = (v: Json) => `v:${JSON.stringify(v)}`;

// ---- building field sets ----

/** Every field of a value as a FieldsV1 tree. */
export function toFieldSet(value: Json, schema: Json): FieldSet {
  const out: FieldSet = {};
  walkInto(out, value, schema);
  return out;
}

function walkInto(out: FieldSet, value: Json, schema: Json): void {
  if (Array.isArray(value)) {
    const lk = listKind(schema);
    const itemSchema = resolveSchema(schema?.items);
    if (lk.type === "map") {
      for (const raw of value) {
        const item = defaultKeyed(raw, lk.keys);
        const node: FieldSet = { ".": {} };
        walkInto(node, item, itemSchema);
        out[itemKey(item, lk.keys)] = node;
      }
    } else if (lk.type === "set") {
      for (const v of value) out[setKey(v)] = {};
    }
    return;
  }
  if (!isObj(value) || isAtomicMap(schema)) return;
  const map = isMapType(schema);
  if (map && Object.keys(value).length) out["."] = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const sub = field(schema, k);
    const node: FieldSet = {};
    walkInto(node, v, sub);
    out[`f:${k}`] = Object.keys(node).length && hasChildren(node) ? node : {};
  }
}

function hasChildren(n: FieldSet): boolean {
  return Object.keys(n).some((k) => k !== ".");
}

/** Fields that are never tracked: identity, server-set metadata, apiVersion/kind. */
export function stripUntracked(fs: FieldSet, def: ResourceDef, subresource?: string): FieldSet {
  const out = { ...fs };
  delete out["f:apiVersion"];
  delete out["f:kind"];
  const meta = out["f:metadata"];
  if (isObj(meta)) {
    const m = { ...meta };
    for (const k of [
      "name",
      "namespace",
      "uid",
      "resourceVersion",
      "generation",
      "creationTimestamp",
      "deletionTimestamp",
      "deletionGracePeriodSeconds",
      "managedFields",
      "selfLink",
      "generateName",
    ])
      delete m[`f:${k}`];
    delete m["."];
    if (hasChildren(m)) out["f:metadata"] = m;
    else delete out["f:metadata"];
  }
  const status = def.subresources?.includes("status");
  if (subresource === "status") {
    for (const k of Object.keys(out)) if (k !== "f:status" && k !== "f:metadata") delete out[k];
  } else if (status) delete out["f:status"];
  return out;
}

// ---- set algebra on trees ----

const member = (n: FieldSet | undefined) => !!n && (Object.keys(n).length === 0 || "." in n);

function normalize(n: FieldSet, isMember: boolean): FieldSet | undefined {
  const kids = hasChildren(n);
  if (!kids) return isMember ? {} : undefined;
  const out: FieldSet = {};
  if (isMember) out["."] = {};
  for (const [k, v] of Object.entries(n)) if (k !== ".") out[k] = v;
  return out;
}

export function union(a: FieldSet | undefined, b: FieldSet | undefined): FieldSet {
  if (!a) return b ?? {};
  if (!b) return a;
  const out: FieldSet = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (k === ".") continue;
    out[k] = a[k] && b[k] ? union(a[k], b[k]) : (a[k] ?? b[k]);
  }
  return normalize(out, member(a) || member(b)) ?? {};
}

/** a minus b. */
export function subtract(a: FieldSet, b: FieldSet | undefined): FieldSet | undefined {
  if (!b) return a;
  const out: FieldSet = {};
  for (const [k, v] of Object.entries(a)) {
    if (k === ".") continue;
    if (!(k in b)) out[k] = v;
    else {
      const r = subtract(v, b[k]);
      if (r) out[k] = r;
    }
  }
  return normalize(out, member(a) && !member(b));
}

export function intersect(a: FieldSet | undefined, b: FieldSet | undefined): FieldSet | undefined {
  if (!a || !b) return undefined;
  const out: FieldSet = {};
  for (const [k, v] of Object.entries(a)) {
    if (k === "." || !(k in b)) continue;
    const r = intersect(v, b[k]);
    if (r) out[k] = r;
  }
  return normalize(out, member(a) && member(b));
}

export function isEmpty(fs: FieldSet | undefined): boolean {
  return !fs || Object.keys(fs).length === 0;
}

/** Leaf members (no children) as path element lists. */
export function leaves(fs: FieldSet, prefix: string[] = [], out: string[][] = []): string[][] {
  for (const [k, v] of Object.entries(fs)) {
    if (k === ".") continue;
    if (!hasChildren(v)) out.push([...prefix, k]);
    else leaves(v, [...prefix, k], out);
  }
  return out;
}

/** Upstream's fieldpath.Path String(): .spec.containers[name="web"].image */
export function pathString(path: string[]): string {
  return path
    .map((e) => {
      if (e.startsWith("f:")) return `.${e.slice(2)}`;
      if (e.startsWith("k:")) {
        const o = JSON.parse(e.slice(2)) as Record<string, Json>;
        return `[${Object.entries(o)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(",")}]`;
      }
      if (e.startsWith("v:")) return `[=${e.slice(2)}]`;
      if (e.startsWith("i:")) return `[${e.slice(2)}]`;
      return e;
    })
    .join("");
}

/** The value at a FieldsV1 path, or undefined. */
export function valueAt(obj: Json, path: string[]): Json {
  let cur = obj;
  for (const e of path) {
    if (cur === undefined || cur === null) return undefined;
    if (e.startsWith("f:")) cur = isObj(cur) ? cur[e.slice(2)] : undefined;
    else if (e.startsWith("k:")) {
      const want = JSON.parse(e.slice(2)) as Record<string, Json>;
      const keys = Object.keys(want);
      cur = Array.isArray(cur)
        ? cur.find((it) => itemKey(defaultKeyed(it, keys), keys) === e || matches(it, want))
        : undefined;
    } else if (e.startsWith("v:")) {
      const v = e.slice(2);
      cur = Array.isArray(cur) ? cur.find((it) => JSON.stringify(it) === v) : undefined;
    } else if (e.startsWith("i:")) cur = Array.isArray(cur) ? cur[Number(e.slice(2))] : undefined;
  }
  return cur;
}

function matches(item: Json, want: Record<string, Json>): boolean {
  if (!isObj(item)) return false;
  return Object.entries(want).every(([k, v]) => (item[k] ?? (k === "protocol" ? "TCP" : undefined)) === v);
}

/** Removes the field/item at a path (no-op when absent). Returns true when something was removed. */
export function removeAt(obj: Json, path: string[]): boolean {
  if (!path.length) return false;
  const parent = valueAt(obj, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (last.startsWith("f:")) {
    if (!isObj(parent) || !(last.slice(2) in parent)) return false;
    delete parent[last.slice(2)];
    return true;
  }
  if (!Array.isArray(parent)) return false;
  const target = valueAt(obj, path);
  const i = parent.indexOf(target);
  if (i < 0) return false;
  parent.splice(i, 1);
  return true;
}

// ---- update-operation tracking ----

/** Members of `next` that are new or whose value changed since `prev`. */
export function changedFields(prev: Json, next: Json, schema: Json): FieldSet {
  const out: FieldSet = {};
  diffInto(out, prev, next, schema);
  return out;
}

function diffInto(out: FieldSet, prev: Json, next: Json, schema: Json): void {
  if (Array.isArray(next)) {
    const lk = listKind(schema);
    const itemSchema = resolveSchema(schema?.items);
    const before = Array.isArray(prev) ? prev : [];
    if (lk.type === "map") {
      const idx = new Map<string, Json>();
      for (const it of before) idx.set(itemKey(defaultKeyed(it, lk.keys), lk.keys), it);
      for (const raw of next) {
        const it = defaultKeyed(raw, lk.keys);
        const key = itemKey(it, lk.keys);
        const old = idx.get(key);
        const node: FieldSet = old === undefined ? { ".": {} } : {};
        diffInto(node, old === undefined ? undefined : defaultKeyed(old, lk.keys), it, itemSchema);
        if (Object.keys(node).length) out[key] = node;
      }
    } else if (lk.type === "set") {
      const seen = new Set(before.map((v) => JSON.stringify(v)));
      for (const v of next) if (!seen.has(JSON.stringify(v))) out[setKey(v)] = {};
    }
    return;
  }
  if (!isObj(next) || isAtomicMap(schema)) return;
  const before = isObj(prev) ? prev : undefined;
  if (isMapType(schema) && !before && Object.keys(next).length) out["."] = {};
  for (const [k, v] of Object.entries(next)) {
    if (v === undefined) continue;
    const old = before?.[k];
    const sub = field(schema, k);
    const compound = Array.isArray(v) ? listKind(sub).type !== "atomic" : isObj(v) && !isAtomicMap(sub);
    if (!compound || (isObj(v) && Object.keys(v).length === 0)) {
      if (old === undefined || JSON.stringify(old) !== JSON.stringify(v)) out[`f:${k}`] = {};
      continue;
    }
    const node: FieldSet = {};
    diffInto(node, old, v, sub);
    if (old === undefined && !hasChildren(node)) out[`f:${k}`] = {};
    else if (Object.keys(node).length) out[`f:${k}`] = node;
  }
}

export interface TrackOptions {
  manager: string;
  apiVersion: string;
  subresource?: string;
  now?: string;
}

function sameEntry(e: ManagedFieldsEntry, o: TrackOptions, op: "Apply" | "Update"): boolean {
  return (
    e.manager === o.manager &&
    e.operation === op &&
    (op === "Apply" || e.apiVersion === o.apiVersion) &&
    (e.subresource ?? "") === (o.subresource ?? "")
  );
}

export function nowTime(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}

function entry(o: TrackOptions, op: "Apply" | "Update", fs: FieldSet): ManagedFieldsEntry {
  return {
    manager: o.manager,
    operation: op,
    apiVersion: o.apiVersion,
    time: o.now ?? nowTime(),
    fieldsType: "FieldsV1",
    fieldsV1: fs,
    ...(o.subresource ? { subresource: o.subresource } : {}),
  };
}

/**
 * managedFields after a create/update/patch (operation Update): the writer owns the fields it set
 * or changed, which other managers lose; removed fields leave every manager.
 */
export function trackUpdate(
  def: ResourceDef,
  old: Json | undefined,
  next: Json,
  o: TrackOptions,
): ManagedFieldsEntry[] | undefined {
  const schema = rootSchema(def);
  const prevEntries: ManagedFieldsEntry[] = (old?.metadata?.managedFields as ManagedFieldsEntry[] | undefined) ?? [];
  // Walk only what this write may own: a status write its status (and metadata), a main-resource
  // write everything but the status of kinds with a status subresource.
  const view = (x: Json): Json => {
    if (x === undefined || x === null || typeof x !== "object") return x;
    const { managedFields: _m, ...metadata } = x.metadata ?? {};
    if (o.subresource === "status") return { metadata, status: x.status };
    if (def.subresources?.includes("status")) {
      const { status: _s, ...rest } = x;
      return { ...rest, metadata };
    }
    return { ...x, metadata };
  };
  const before = view(old);
  const after = view(next);
  const changed = stripUntracked(changedFields(before, after, schema), def, o.subresource);
  const removed = before
    ? stripUntracked(changedFieldsRemoved(before, after, schema), def, o.subresource)
    : ({} as FieldSet);
  if (isEmpty(changed) && isEmpty(removed)) return prevEntries.length ? prevEntries : undefined;
  const lost = union(changed, removed);
  const out: ManagedFieldsEntry[] = [];
  let mine: ManagedFieldsEntry | undefined;
  for (const e of prevEntries) {
    if (sameEntry(e, o, "Update")) {
      const fs = union(subtract(e.fieldsV1 ?? {}, removed), changed);
      mine = entry(o, "Update", fs);
      if (!isEmpty(fs)) out.push(mine);
      continue;
    }
    const fs = subtract(e.fieldsV1 ?? {}, lost);
    if (!isEmpty(fs)) out.push({ ...e, fieldsV1: fs });
  }
  if (!mine && !isEmpty(changed)) out.push(entry(o, "Update", changed));
  return out.length ? out : undefined;
}

function changedFieldsRemoved(prev: Json, next: Json, schema: Json): FieldSet {
  // Members of prev that next no longer has.
  return subtract(toFieldSet(prev, schema), toFieldSet(next, schema)) ?? {};
}
