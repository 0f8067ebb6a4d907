// OpenAPI v3 documents for CRD group-versions (kubectl explain reads them). The CRD schemas
// are published under upstream's names (<reversed group>.<version>.<Kind>) with
// x-kubernetes-group-version-kind. The paths list no strategic-merge-patch media type, so
// kubectl's client-side apply uses a JSON merge patch for custom resources, as upstream.
import { createHash } from "node:crypto";
import { definition } from "../../openapi/index.ts";
import type { ResourceDef } from "../registry.ts";

type Json = any;
const META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const LIST_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";

export function schemaName(def: Pick<ResourceDef, "group" | "version" | "kind">): string {
  return `${def.group.split(".").reverse().join(".")}.${def.version}.${def.kind}`;
}

function rewrite(node: Json): Json {
  if (Array.isArray(node)) return node.map(rewrite);
  if (node && typeof node === "object") {
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") out[k] = v.replace("#/definitions/", "#/components/schemas/");
      else out[k] = rewrite(v);
    }
    if (out.$ref && Object.keys(out).length > 1) {
      const { $ref, ...rest } = out;
      return { ...rest, allOf: [{ $ref }] };
    }
    return out;
  }
  return node;
}

export function customOpenApiV3(defs: ResourceDef[]): { body: string; hash: string } {
  const schemas: Json = {};
  const paths: Json = {};
  for (const d of defs) {
    const gvk = [{ group: d.group, version: d.version, kind: d.kind }];
    const base = structuredClone(d.crd?.schema ?? { type: "object", "x-kubernetes-preserve-unknown-fields": true });
    base.properties = {
      ...(base.properties ?? {}),
      apiVersion: { type: "string", description: "APIVersion defines the versioned schema of this representation." },
      kind: { type: "string", description: "Kind is a string value representing the REST resource." },
      metadata: { allOf: [{ $ref: `#/components/schemas/${META}` }], description: "Standard object's metadata." },
    };
    const name = schemaName(d);
    schemas[name] = { ...base, "x-kubernetes-group-version-kind": gvk };
    schemas[`${name}List`] = {
      type: "object",
      required: ["items"],
      properties: {
        apiVersion: { type: "string" },
        items: { type: "array", items: { $ref: `#/components/schemas/${name}` } },
        kind: { type: "string" },
        metadata: { allOf: [{ $ref: `#/components/schemas/${LIST_META}` }] },
      },
      "x-kubernetes-group-version-kind": [{ group: d.group, version: d.version, kind: `${d.kind}List` }],
    };
    const prefix = `/apis/${d.group}/${d.version}${d.namespaced ? "/namespaces/{namespace}" : ""}/${d.resource}`;
    const ok = (ref: string) => ({
      "200": {
        description: "OK",
        content: { "application/json": { schema: { $ref: `#/components/schemas/${ref}` } } },
      },
    });
    const gvkExt = { group: d.group, version: d.version, kind: d.kind };
    const params = [
      ...(d.namespaced ? [{ name: "namespace", in: "path", required: true, schema: { type: "string" } }] : []),
    ];
    paths[prefix] = {
      get: {
        operationId: `list${d.kind}`,
        responses: ok(`${name}List`),
        "x-kubernetes-action": "list",
        "x-kubernetes-group-version-kind": gvkExt,
      },
      parameters: params,
    };
    paths[`${prefix}/{name}`] = {
      parameters: [...params, { name: "name", in: "path", required: true, schema: { type: "string" } }],
      get: {
        operationId: `read${d.kind}`,
        responses: ok(name),
        "x-kubernetes-action": "get",
        "x-kubernetes-group-version-kind": gvkExt,
      },
      patch: {
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": gvkExt,
        operationId: `patch${d.kind}`,
        requestBody: {
          content: Object.fromEntries(
            ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"].map((c) => [
              c,
              { schema: { type: "object" } },
            ]),
          ),
        },
        responses: ok(name),
      },
    };
  }
  const queue = [META, LIST_META];
  while (queue.length) {
    const n = queue.pop()!;
    if (schemas[n]) continue;
    const def = definition(n);
    if (!def) continue;
    schemas[n] = rewrite(def);
    const text = JSON.stringify(def);
    for (const m of text.matchAll(/#\/definitions\/([^"]+)/g)) queue.push(m[1]!);
  }
  const body = JSON.stringify({
    openapi: "3.0.0",
    info: { title: "Kubernetes CRD Swagger", version: "v0.1.0" },
    paths,
    components: { schemas },
  });
  return { body, hash: createHash("sha512").update(body).digest("hex").slice(0, 128).toUpperCase() };
}
