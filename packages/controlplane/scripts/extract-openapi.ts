// Trims the upstream OpenAPI v2 document to what this API server serves: the paths of served
// resources (and their subresources), the definitions they reach and the shared parameters.
// Usage: tsx packages/controlplane/scripts/extract-openapi.ts [/work/shared/reference/kubernetes-openapi-v2.json]
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { RESOURCES } from "../src/apiserver/registry.ts";

const src = process.argv[2] ?? "/work/shared/reference/kubernetes-openapi-v2.json";
const out = join(dirname(fileURLToPath(import.meta.url)), "../src/openapi/openapi-v2.json");
const doc = JSON.parse(readFileSync(src, "utf8"));

const EXTRA_DEFS = [
  "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
  "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
  "io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList",
  "io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList",
  "io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions",
  "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
  "io.k8s.api.autoscaling.v1.Scale",
  "io.k8s.api.policy.v1.Eviction",
  "io.k8s.api.core.v1.Binding",
  "io.k8s.api.authentication.v1.TokenRequest",
];

const served = new Set<string>();
for (const r of RESOURCES) {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  served.add(`${base}|${r.resource}`);
}

function keepPath(p: string): boolean {
  const m = /^(\/api\/v1|\/apis\/[^/]+\/[^/]+)\/(.*)$/.exec(p);
  if (!m) return false;
  const segs = m[2]!.split("/").filter((s) => !s.startsWith("{"));
  let rest = segs;
  if (rest[0] === "watch") rest = rest.slice(1);
  if (rest[0] === "namespaces" && rest.length > 1) rest = rest.slice(1);
  const resource = rest[0] ?? "";
  return served.has(`${m[1]}|${resource}`);
}

const paths: Record<string, unknown> = {};
for (const [p, v] of Object.entries(doc.paths as Record<string, unknown>)) if (keepPath(p)) paths[p] = v;

const defs: Record<string, unknown> = {};
const params: Record<string, unknown> = {};
const queue: unknown[] = [paths];
for (const r of RESOURCES) {
  for (const name of [r.openapi, `${r.openapi}List`, ...EXTRA_DEFS]) {
    if (doc.definitions[name] && !defs[name]) {
      defs[name] = doc.definitions[name];
      queue.push(defs[name]);
    }
  }
}
while (queue.length) {
  const node = queue.pop();
  if (Array.isArray(node)) queue.push(...node);
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") {
        const [, kind, name] = /^#\/(definitions|parameters)\/(.+)$/.exec(v) ?? [];
        if (kind === "definitions" && name && !defs[name]) {
          defs[name] = doc.definitions[name];
          queue.push(defs[name]);
        } else if (kind === "parameters" && name && !params[name]) {
          params[name] = doc.parameters[name];
          queue.push(params[name]);
        }
      } else queue.push(v);
    }
  }
}

const trimmed = {
  swagger: doc.swagger,
  info: { title: "Kubernetes", version: "unversioned" },
  paths,
  definitions: Object.fromEntries(Object.entries(defs).sort(([a], [b]) => a.localeCompare(b))),
  parameters: params,
  securityDefinitions: doc.securityDefinitions,
  security: doc.security,
};
writeFileSync(out, JSON.stringify(trimmed));
console.log(`wrote ${out}: ${Object.keys(paths).length} paths, ${Object.keys(defs).length} definitions`);
