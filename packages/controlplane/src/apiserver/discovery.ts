// Discovery documents: legacy (/api, /apis, /api/v1, /apis/<g>/<v>) and aggregated
// (apidiscovery.k8s.io v2 / v2beta1 APIGroupDiscoveryList), both built from the registry.
import { gvString, RESOURCES, type ResourceDef, verbsOf } from "./registry.ts";

type Json = any;

const SUB: Record<string, { kind?: { group: string; version: string; kind: string }; verbs: string[] }> = {
  status: { verbs: ["get", "patch", "update"] },
  scale: { kind: { group: "autoscaling", version: "v1", kind: "Scale" }, verbs: ["get", "patch", "update"] },
  binding: { kind: { group: "", version: "v1", kind: "Binding" }, verbs: ["create"] },
  eviction: { kind: { group: "policy", version: "v1", kind: "Eviction" }, verbs: ["create"] },
  log: { verbs: ["get"] },
  approval: { verbs: ["get", "patch", "update"] },
  token: { kind: { group: "authentication.k8s.io", version: "v1", kind: "TokenRequest" }, verbs: ["create"] },
  finalize: { verbs: ["update"] },
};

function subKind(def: ResourceDef, sub: string) {
  return SUB[sub]?.kind ?? { group: def.group, version: def.version, kind: def.kind };
}

/** Group versions in discovery order; core first, then groups by first appearance. */
function groupVersions(all: ResourceDef[]): { group: string; version: string }[] {
  const seen = new Set<string>();
  const out: { group: string; version: string }[] = [];
  for (const r of all) {
    const k = gvString(r.group, r.version);
    if (!seen.has(k)) {
      seen.add(k);
      out.push({ group: r.group, version: r.version });
    }
  }
  return out;
}

/** Upstream's version priority: GA > beta > alpha, then higher numbers first (kube-aware sort). */
function versionRank(v: string): [number, number, number] {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return [3, 0, 0];
  const stage = m[2] === "alpha" ? 2 : m[2] === "beta" ? 1 : 0;
  return [stage, -Number(m[1]), -Number(m[3] ?? 0)];
}

function byPriority(a: string, b: string): number {
  const [x, y] = [versionRank(a), versionRank(b)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2] || a.localeCompare(b);
}

export function apiResourceList(group: string, version: string, all: ResourceDef[] = RESOURCES): Json | undefined {
  const defs = all.filter((r) => r.group === group && r.version === version);
  if (!defs.length) return undefined;
  const resources: Json[] = [];
  for (const d of defs) {
    resources.push({
      name: d.resource,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: verbsOf(d),
      ...(d.shortNames ? { shortNames: d.shortNames } : {}),
      ...(d.categories ? { categories: d.categories } : {}),
    });
    for (const s of d.subresources ?? []) {
      const k = subKind(d, s);
      resources.push({
        name: `${d.resource}/${s}`,
        singularName: "",
        namespaced: d.namespaced,
        ...(k.group !== d.group ? { group: k.group, version: k.version } : {}),
        kind: k.kind,
        verbs: SUB[s]?.verbs ?? ["get"],
      });
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: gvString(group, version), resources };
}

export function apiVersions(): Json {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "" }],
  };
}

export function apiGroupList(all: ResourceDef[] = RESOURCES): Json {
  const groups = new Map<string, string[]>();
  for (const { group, version } of groupVersions(all)) {
    if (!group) continue;
    groups.set(group, [...(groups.get(group) ?? []), version]);
  }
  for (const [g, vs] of groups) groups.set(g, vs.sort(byPriority));
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: [...groups].map(([name, versions]) => ({
      name,
      versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
    })),
  };
}

export function apiGroup(name: string, all: ResourceDef[] = RESOURCES): Json | undefined {
  const g = apiGroupList(all).groups.find((x: Json) => x.name === name);
  return g ? { kind: "APIGroup", apiVersion: "v1", ...g } : undefined;
}

/** Aggregated discovery for /api (core only) or /apis (every named group). */
export function aggregated(
  core: boolean,
  apiVersion: "apidiscovery.k8s.io/v2" | "apidiscovery.k8s.io/v2beta1",
  all: ResourceDef[] = RESOURCES,
): Json {
  const groups = new Map<string, Map<string, ResourceDef[]>>();
  for (const d of all) {
    if (core !== (d.group === "")) continue;
    const g = groups.get(d.group) ?? new Map<string, ResourceDef[]>();
    g.set(d.version, [...(g.get(d.version) ?? []), d]);
    groups.set(d.group, g);
  }
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion,
    metadata: {},
    items: [...groups].map(([group, versions]) => ({
      metadata: { name: group, creationTimestamp: null },
      versions: [...versions]
        .sort(([a], [b]) => byPriority(a, b))
        .map(([version, defs]) => ({
          version,
          freshness: "Current",
          resources: defs.map((d) => ({
            resource: d.resource,
            responseKind: { group: d.group, version: d.version, kind: d.kind },
            scope: d.namespaced ? "Namespaced" : "Cluster",
            singularResource: d.singular,
            verbs: verbsOf(d),
            ...(d.shortNames ? { shortNames: d.shortNames } : {}),
            ...(d.categories ? { categories: d.categories } : {}),
            ...(d.subresources?.length
              ? {
                  subresources: d.subresources.map((s) => ({
                    subresource: s,
                    responseKind: subKind(d, s),
                    verbs: SUB[s]?.verbs ?? ["get"],
                  })),
                }
              : {}),
          })),
        })),
    })),
  };
}
