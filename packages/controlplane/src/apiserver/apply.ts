// Server-side apply (PATCH application/apply-patch+yaml): the applied configuration is merged
// into the live object by the schema (maps by key, list-maps by their keys, sets by value,
// atomic lists replaced), fields another manager owns with a different value are conflicts
// (409 unless force=true), and fields this manager applied before but no longer does are removed
// unless someone else owns them. The manager's entry in metadata.managedFields becomes exactly
// the applied field set (operation Apply).
import { parse as parseYaml } from "yaml";
import type { KubeObject } from "../client.ts";
import { ApiError, badRequest } from "./errors.ts";
import {
  type FieldSet,
  intersect,
  isEmpty,
  leaves,
  type ManagedFieldsEntry,
  nowTime,
  pathString,
  removeAt,
  resolveSchema,
  rootSchema,
  stripUntracked,
  subtract,
  toFieldSet,
  union,
  valueAt,
} from "./managedfields.ts";
import { gvString, type ResourceDef } from "./registry.ts";

type Json = any;
const isObj = (v: unknown): v is Record<string, Json> => !!v && typeof v === "object" && !Array.isArray(v);

/** Parses an apply body (YAML or JSON; kubectl sends JSON, people with curl send YAML). */
export function parseApplyBody(raw: string): Json {
  if (!raw.trim()) throw badRequest("the apply body is empty");
  try {
    return JSON.parse(raw);
  } catch {
    try {
      return parseYaml(raw);
    } catch (e) {
      throw badRequest(`error decoding YAML: ${(e as Error).message}`);
    }
  }
}

export interface ApplyOptions {
  manager: string;
  force: boolean;
  subresource?: string;
}

function fieldOf(schema: Json, key: string): Json {
  if (!schema) return undefined;
  if (schema.properties?.[key]) return resolveSchema(schema.properties[key]);
  if (isObj(schema.additionalProperties)) return resolveSchema(schema.additionalProperties);
  return undefined;
}

function listKeys(schema: Json): string[] | "set" | undefined {
  const t = schema?.["x-kubernetes-list-type"];
  if (t === "map") return schema["x-kubernetes-list-map-keys"];
  if (t === "set") return "set";
  if (t === "atomic") return undefined;
  const mk = schema?.["x-kubernetes-patch-merge-key"];
  if (mk && String(schema["x-kubernetes-patch-strategy"] ?? "").includes("merge")) return [mk];
  return undefined;
}

function keyOf(item: Json, keys: string[]): string {
  return JSON.stringify(keys.map((k) => item?.[k] ?? (k === "protocol" ? "TCP" : undefined)));
}

/** The applied configuration merged over the live value. */
export function mergeApplied(live: Json, applied: Json, schema: Json): Json {
  if (applied === null) return undefined;
  if (Array.isArray(applied)) {
    const lk = listKeys(schema);
    if (!lk || !Array.isArray(live)) return structuredClone(applied);
    if (lk === "set") {
      const out = [...live];
      for (const v of applied) if (!out.some((x) => JSON.stringify(x) === JSON.stringify(v))) out.push(v);
      return out;
    }
    const itemSchema = resolveSchema(schema?.items);
    const out = [...live];
    for (const a of applied) {
      const i = out.findIndex((x) => keyOf(x, lk) === keyOf(a, lk));
      if (i >= 0) out[i] = mergeApplied(out[i], a, itemSchema);
      else out.push(structuredClone(a));
    }
    return out;
  }
  if (isObj(applied) && schema?.["x-kubernetes-map-type"] !== "atomic") {
    const out: Json = isObj(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(applied)) {
      const m = mergeApplied(out[k], v, fieldOf(schema, k));
      if (m === undefined) delete out[k];
      else out[k] = m;
    }
    return out;
  }
  return structuredClone(applied);
}

function printManager(e: ManagedFieldsEntry): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  // Upstream names a manager by (manager, operation, apiVersion, subresource), never by time.
  if (e.operation === "Update") s += ` using ${e.apiVersion}`;
  return s;
}

function conflictError(conflicts: { entry: ManagedFieldsEntry; path: string[] }[]): ApiError {
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0]!.entry)}: ${pathString(conflicts[0]!.path)}`;
  } else {
    const by = new Map<string, string[]>();
    for (const c of conflicts) {
      const m = printManager(c.entry);
      by.set(m, [...(by.get(m) ?? []), pathString(c.path)]);
    }
    const lines: string[] = [];
    for (const m of [...by.keys()].sort()) {
      lines.push(`conflicts with ${m}:`);
      for (const p of by.get(m)!) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
  }
  return new ApiError(409, "Conflict", message, {
    causes: conflicts.map((c) => ({
      type: "FieldManagerConflict",
      message: `conflict with ${printManager(c.entry)}`,
      field: pathString(c.path),
    })),
  });
}

/**
 * Computes the object an apply produces and its managedFields. `live` is undefined when the
 * apply creates the object.
 */
export function serverSideApply(
  def: ResourceDef,
  live: KubeObject | undefined,
  applied: Json,
  opts: ApplyOptions,
): KubeObject {
  const apiVersion = gvString(def.group, def.version);
  if (!isObj(applied)) throw badRequest("the apply body must be an object");
  if (applied.apiVersion !== apiVersion) {
    throw badRequest(
      applied.apiVersion
        ? `the API version in the data (${applied.apiVersion}) does not match the expected API version (${apiVersion})`
        : "apiVersion must be set in the applied configuration",
    );
  }
  if (applied.kind !== def.kind) {
    throw badRequest(
      applied.kind
        ? `the kind in the data (${applied.kind}) does not match the expected kind (${def.kind})`
        : "kind must be set in the applied configuration",
    );
  }
  if (applied.metadata?.managedFields !== undefined) {
    throw badRequest("metadata.managedFields must be nil");
  }
  const schema = rootSchema(def);
  const now = nowTime();
  let entries: ManagedFieldsEntry[] = structuredClone(
    (live?.metadata.managedFields as ManagedFieldsEntry[] | undefined) ?? [],
  );
  if (live && !entries.length) {
    // As upstream: fields of an object nobody tracked yet belong to "before-first-apply".
    const fs = stripUntracked(toFieldSet(live, schema), def);
    if (!isEmpty(fs))
      entries = [
        {
          manager: "before-first-apply",
          operation: "Update",
          apiVersion,
          time: now,
          fieldsType: "FieldsV1",
          fieldsV1: fs,
        },
      ];
  }
  const appliedSet = stripUntracked(toFieldSet(applied, schema), def, opts.subresource);
  const isMine = (e: ManagedFieldsEntry) =>
    e.manager === opts.manager && e.operation === "Apply" && (e.subresource ?? "") === (opts.subresource ?? "");

  const conflicts: { entry: ManagedFieldsEntry; path: string[] }[] = [];
  const conflictSets = new Map<ManagedFieldsEntry, FieldSet>();
  if (live) {
    for (const e of entries) {
      if (isMine(e)) continue;
      const both = intersect(appliedSet, e.fieldsV1);
      if (!both) continue;
      const mine: FieldSet = {};
      for (const p of leaves(both)) {
        const a = valueAt(applied, p);
        const l = valueAt(live, p);
        if (JSON.stringify(a) === JSON.stringify(l)) continue;
        if (isObj(a) && isObj(l)) continue; // both present as nodes: children decide
        conflicts.push({ entry: e, path: p });
        let node = mine;
        for (const el of p.slice(0, -1)) node = node[el] ??= {};
        node[p[p.length - 1]!] = {};
      }
      if (!isEmpty(mine)) conflictSets.set(e, mine);
    }
  }
  if (conflicts.length && !opts.force) throw conflictError(conflicts);

  const next: ManagedFieldsEntry[] = [];
  let previous: FieldSet | undefined;
  for (const e of entries) {
    if (isMine(e)) {
      previous = e.fieldsV1;
      continue;
    }
    const lose = conflictSets.get(e);
    const fs = lose ? subtract(e.fieldsV1 ?? {}, lose) : e.fieldsV1;
    if (!isEmpty(fs)) next.push({ ...e, fieldsV1: fs });
  }

  const base: Json = live ? structuredClone(live) : { apiVersion, kind: def.kind, metadata: {} };
  const merged = mergeApplied(base, applied, schema) as KubeObject;
  // Fields this manager stopped applying, unless another manager still owns them.
  if (previous) {
    let others: FieldSet = {};
    for (const e of next) others = union(others, e.fieldsV1);
    const dropped = subtract(subtract(previous, appliedSet) ?? {}, others);
    if (dropped) {
      // Whole list items first (their keys locate them), then the remaining fields.
      pruneEmptyItems(merged, dropped);
      for (const p of leaves(dropped).sort((a, b) => b.length - a.length)) removeAt(merged, p);
    }
  }
  const mineEntry: ManagedFieldsEntry = {
    manager: opts.manager,
    operation: "Apply",
    apiVersion,
    time: now,
    fieldsType: "FieldsV1",
    fieldsV1: appliedSet,
    ...(opts.subresource ? { subresource: opts.subresource } : {}),
  };
  const idx = entries.findIndex(isMine);
  if (!isEmpty(appliedSet)) {
    if (idx >= 0) next.splice(Math.min(idx, next.length), 0, mineEntry);
    else next.push(mineEntry);
  }
  merged.metadata ??= {};
  if (next.length) merged.metadata.managedFields = next;
  else delete merged.metadata.managedFields;
  return merged;
}

/** Removes list items (k:/v:) the dropped set names as members themselves. */
function pruneEmptyItems(obj: Json, dropped: FieldSet, prefix: string[] = []): void {
  for (const [k, v] of Object.entries(dropped)) {
    if (k === ".") continue;
    const p = [...prefix, k];
    if ((k.startsWith("k:") || k.startsWith("v:")) && ("." in v || Object.keys(v).length === 0)) removeAt(obj, p);
    else if (isObj(v)) pruneEmptyItems(obj, v, p);
  }
}
