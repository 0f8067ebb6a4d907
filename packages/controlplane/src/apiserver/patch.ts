// PATCH bodies: JSON patch (RFC 6902), JSON merge patch (RFC 7386) and strategic merge patch,
// whose list merge keys and strategies come from the upstream schema's x-kubernetes-patch-* fields.
import type { KubeObject, PatchType } from "../client.ts";
import { definition } from "../openapi/index.ts";
import { ApiError, badRequest } from "./errors.ts";
import type { ResourceDef } from "./registry.ts";

type Json = any;
const isObj = (v: unknown): v is Record<string, Json> => !!v && typeof v === "object" && !Array.isArray(v);

export function applyPatch(def: ResourceDef, current: KubeObject, type: PatchType, patch: unknown): KubeObject {
  if (type === "json") return jsonPatch(current, patch) as KubeObject;
  if (!isObj(patch)) throw badRequest("patch body must be a JSON object");
  if (type === "merge") return mergePatch(current, patch) as KubeObject;
  return strategicMerge(current, patch, resolve({ $ref: `#/definitions/${def.openapi}` })) as KubeObject;
}

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return patch;
  const out: Json = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function unescapePointer(s: string): string {
  return s.replace(/~1/g, "/").replace(/~0/g, "~");
}

function jsonPatch(doc: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw badRequest("json patch must be an array of operations");
  let root = structuredClone(doc);
  const walk = (path: string): { parent: Json; key: string } => {
    if (!path.startsWith("/")) throw badRequest(`invalid JSON pointer "${path}"`);
    const segs = path.slice(1).split("/").map(unescapePointer);
    let parent: Json = { "": root };
    let key = "";
    for (const s of segs) {
      parent = parent[key];
      key = s;
      if (parent === undefined || parent === null || typeof parent !== "object") {
        throw new ApiError(
          422,
          "Invalid",
          `the server rejected our request due to an error in our request: path "${path}" not found`,
        );
      }
    }
    return { parent, key };
  };
  const getAt = (path: string): Json => {
    if (path === "") return root;
    const { parent, key } = walk(path);
    return Array.isArray(parent) ? parent[Number(key)] : parent[key];
  };
  for (const op of ops as Json[]) {
    const path: string = op.path ?? "";
    if (op.op === "test") {
      if (JSON.stringify(getAt(path)) !== JSON.stringify(op.value)) {
        throw new ApiError(
          422,
          "Invalid",
          `the server rejected our request due to an error in our request: testing value ${path} failed`,
        );
      }
      continue;
    }
    let value = op.value;
    if (op.op === "copy" || op.op === "move") {
      value = structuredClone(getAt(op.from));
      if (op.op === "move") {
        const f = walk(op.from);
        if (Array.isArray(f.parent)) f.parent.splice(Number(f.key), 1);
        else delete f.parent[f.key];
      }
    }
    if (path === "") {
      if (op.op === "remove") throw badRequest("cannot remove the root document");
      root = value;
      continue;
    }
    const { parent, key } = walk(path);
    if (op.op === "remove") {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else {
        if (!(key in parent)) {
          throw new ApiError(
            422,
            "Invalid",
            `the server rejected our request due to an error in our request: unable to remove nonexistent key: ${key}: missing value`,
          );
        }
        delete parent[key];
      }
    } else if (op.op === "add" || op.op === "copy" || op.op === "move") {
      if (Array.isArray(parent)) parent.splice(key === "-" ? parent.length : Number(key), 0, value);
      else parent[key] = value;
    } else if (op.op === "replace") {
      if (Array.isArray(parent)) parent[Number(key)] = value;
      else {
        if (!(key in parent)) {
          throw new ApiError(
            422,
            "Invalid",
            `the server rejected our request due to an error in our request: replace operation does not apply: doc is missing key: ${path}: missing value`,
          );
        }
        parent[key] = value;
      }
    } else throw badRequest(`unknown json patch operation "${op.op}"`);
  }
  return root;
}

function resolve(schema: Json): Json {
  let s = schema;
  for (let i = 0; i < 10 && s; i++) {
    if (s.$ref) s = definition(String(s.$ref).replace("#/definitions/", ""));
    else if (Array.isArray(s.allOf) && s.allOf[0]) s = s.allOf[0];
    else break;
  }
  return s;
}

function propSchema(schema: Json, key: string): Json {
  if (!schema) return undefined;
  if (schema.properties?.[key]) return schema.properties[key];
  if (isObj(schema.additionalProperties)) return schema.additionalProperties;
  return undefined;
}

export function strategicMerge(original: Json, patch: Json, schema: Json): Json {
  if (!isObj(patch)) return patch;
  const directive = patch.$patch;
  if (directive === "replace") {
    const { $patch: _p, ...rest } = patch;
    return rest;
  }
  if (directive === "delete") return undefined;
  const out: Json = isObj(original) ? { ...original } : {};
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set<string>(patch.$retainKeys);
    for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k === "$patch" || k === "$retainKeys" || k.startsWith("$setElementOrder/")) continue;
    if (k.startsWith("$deleteFromPrimitiveList/")) {
      const field = k.slice("$deleteFromPrimitiveList/".length);
      if (Array.isArray(out[field]) && Array.isArray(v)) out[field] = out[field].filter((x: Json) => !v.includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const raw = propSchema(schema, k);
    const sub = resolve(raw);
    if (Array.isArray(v)) {
      const strategy: string = raw?.["x-kubernetes-patch-strategy"] ?? "";
      const mergeKey: string | undefined = raw?.["x-kubernetes-patch-merge-key"];
      if (strategy.includes("merge"))
        out[k] = mergeList(Array.isArray(out[k]) ? out[k] : [], v, mergeKey, resolve(sub?.items ?? raw?.items));
      else out[k] = v.filter((x) => !(isObj(x) && x.$patch));
      continue;
    }
    if (isObj(v)) {
      const merged = strategicMerge(out[k], v, sub);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
      continue;
    }
    out[k] = v;
  }
  return out;
}

function mergeList(orig: Json[], patch: Json[], mergeKey: string | undefined, itemSchema: Json): Json[] {
  if (patch.some((p) => isObj(p) && p.$patch === "replace")) return patch.filter((p) => !(isObj(p) && p.$patch));
  if (!mergeKey) {
    const out = [...orig];
    for (const p of patch) if (!out.some((o) => JSON.stringify(o) === JSON.stringify(p))) out.push(p);
    return out;
  }
  const out = [...orig];
  for (const p of patch) {
    if (!isObj(p)) continue;
    const idx = out.findIndex((o) => isObj(o) && o[mergeKey] === p[mergeKey]);
    if (p.$patch === "delete") {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicMerge(out[idx], p, itemSchema);
    else out.push(strategicMerge({}, p, itemSchema));
  }
  return out;
}
