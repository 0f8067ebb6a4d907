// The served OpenAPI documents, loaded lazily from the trimmed upstream schema (see
// scripts/extract-openapi.ts): /openapi/v2 as is, /openapi/v3/<gv> converted per group-version.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

type Json = any;
let v2: Json | undefined;
const v3Cache = new Map<string, { body: string; hash: string }>();

export function openapiV2(): Json {
  v2 ??= JSON.parse(readFileSync(new URL("./openapi-v2.json", import.meta.url), "utf8"));
  return v2;
}

export function definition(name: string): Json | undefined {
  return openapiV2().definitions[name];
}

function rewriteRefs(node: Json): Json {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node && typeof node === "object") {
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") out[k] = v.replace("#/definitions/", "#/components/schemas/");
      else out[k] = rewriteRefs(v);
    }
    if (out.$ref && Object.keys(out).length > 1) {
      const { $ref, ...rest } = out;
      return { ...rest, allOf: [{ $ref }] };
    }
    return out;
  }
  return node;
}

function convertParam(p: Json, doc: Json): Json {
  const param = p.$ref ? doc.parameters[p.$ref.replace("#/parameters/", "")] : p;
  if (param.in === "body") return undefined;
  const { type, uniqueItems, ...rest } = param;
  return { ...rest, schema: { type, uniqueItems } };
}

function convertOperation(op: Json, doc: Json): Json {
  const params = (op.parameters ?? []) as Json[];
  const body = params
    .map((p) => (p.$ref ? doc.parameters[p.$ref.replace("#/parameters/", "")] : p))
    .find((p) => p.in === "body");
  const out: Json = { ...op };
  delete out.consumes;
  delete out.produces;
  delete out.schemes;
  out.parameters = params.map((p) => convertParam(p, doc)).filter(Boolean);
  if (body) {
    out.requestBody = {
      content: Object.fromEntries(
        ((op.consumes as string[]) ?? ["application/json"]).map((c) => [c, { schema: rewriteRefs(body.schema) }]),
      ),
      required: !!body.required,
    };
  }
  out.responses = Object.fromEntries(
    Object.entries(op.responses ?? {}).map(([code, r]: [string, Json]) => [
      code,
      r.schema
        ? {
            description: r.description,
            content: Object.fromEntries(
              ((op.produces as string[]) ?? ["application/json"]).map((c) => [c, { schema: rewriteRefs(r.schema) }]),
            ),
          }
        : { description: r.description },
    ]),
  );
  return out;
}

/** Group-version keys like "api/v1", "apis/apps/v1" for the paths present in the served doc. */
export function v3GroupVersions(): string[] {
  const set = new Set<string>();
  for (const p of Object.keys(openapiV2().paths)) {
    const m = /^\/(api\/v1|apis\/[^/]+\/[^/]+)\//.exec(p);
    if (m) set.add(m[1]!);
  }
  return [...set];
}

export function openapiV3(gv: string): { body: string; hash: string } | undefined {
  const hit = v3Cache.get(gv);
  if (hit) return hit;
  const doc = openapiV2();
  const paths: Json = {};
  for (const [p, item] of Object.entries(doc.paths as Record<string, Json>)) {
    if (!p.startsWith(`/${gv}/`)) continue;
    const conv: Json = {};
    for (const [verb, op] of Object.entries(item)) {
      if (verb === "parameters") conv.parameters = (op as Json[]).map((x) => convertParam(x, doc)).filter(Boolean);
      else conv[verb] = convertOperation(op, doc);
    }
    paths[p] = conv;
  }
  if (!Object.keys(paths).length) return undefined;
  // Only the schemas reachable from this group-version's paths.
  const schemas: Json = {};
  const queue: Json[] = [paths];
  while (queue.length) {
    const n = queue.pop();
    if (Array.isArray(n)) queue.push(...n);
    else if (n && typeof n === "object") {
      for (const [k, v] of Object.entries(n)) {
        if (k === "$ref" && typeof v === "string") {
          const name = v.replace("#/components/schemas/", "");
          if (!schemas[name] && doc.definitions[name]) {
            schemas[name] = rewriteRefs(doc.definitions[name]);
            queue.push(schemas[name]);
          }
        } else queue.push(v);
      }
    }
  }
  const out = {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "unversioned" },
    paths,
    components: { schemas, securitySchemes: { BearerToken: { type: "apiKey", in: "header", name: "authorization" } } },
  };
  const body = JSON.stringify(out);
  const hash = createHash("sha512").update(body).digest("hex").slice(0, 128).toUpperCase();
  const entry = { body, hash };
  v3Cache.set(gv, entry);
  return entry;
}
