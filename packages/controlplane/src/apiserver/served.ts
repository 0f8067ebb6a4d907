// The resources one API server serves: the built-in registry filtered by the cluster's
// Kubernetes minor (versions.ts), plus the versions of its CustomResourceDefinitions (crd/).
// Discovery, routing, OpenAPI and namespace cleanup read this instead of the static registry.
import { customOpenApiV3 } from "./crd/openapi.ts";
import { gvString, RESOURCES, type ResourceDef } from "./registry.ts";

export class ServedResources {
  private readonly builtins: ResourceDef[];
  private custom: ResourceDef[] = [];
  private all: ResourceDef[];
  private byPath = new Map<string, ResourceDef>();
  /** Bumped on every change so caches (OpenAPI) know to rebuild. */
  generation = 0;
  private listeners: (() => void)[] = [];

  constructor(readonly minor = 33) {
    this.builtins = RESOURCES.filter(
      (r) => (r.minMinor === undefined || minor >= r.minMinor) && (r.maxMinor === undefined || minor <= r.maxMinor),
    );
    this.all = this.builtins;
    this.index();
  }

  private index(): void {
    this.byPath.clear();
    for (const r of this.all) this.byPath.set(`${r.group}/${r.version}/${r.resource}`, r);
  }

  list(): ResourceDef[] {
    return this.all;
  }

  customResources(): ResourceDef[] {
    return this.custom;
  }

  find(group: string, version: string, resource: string): ResourceDef | undefined {
    return this.byPath.get(`${group}/${version}/${resource}`);
  }

  findByKind(apiVersion: string, kind: string): ResourceDef | undefined {
    return this.all.find((r) => gvString(r.group, r.version) === apiVersion && r.kind === kind);
  }

  /** Replaces the CRD-served resources (names clashing with built-ins are ignored). */
  setCustom(defs: ResourceDef[]): void {
    const taken = new Set(this.builtins.map((r) => `${r.group}/${r.version}/${r.resource}`));
    this.custom = defs.filter((d) => !taken.has(`${d.group}/${d.version}/${d.resource}`));
    this.all = [...this.builtins, ...this.custom];
    this.index();
    this.generation++;
    for (const l of this.listeners) l();
  }

  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  private v3 = new Map<string, { gen: number; doc: { body: string; hash: string } }>();
  /** Group-versions served for CRDs, as /openapi/v3 keys ("apis/<group>/<version>"). */
  customGroupVersions(): string[] {
    return [...new Set(this.custom.map((d) => `apis/${d.group}/${d.version}`))];
  }
  /** /openapi/v3/apis/<group>/<version> for a CRD group-version. */
  customOpenApiV3(gv: string): { body: string; hash: string } | undefined {
    const defs = this.custom.filter((d) => `apis/${d.group}/${d.version}` === gv);
    if (!defs.length) return undefined;
    const hit = this.v3.get(gv);
    if (hit?.gen === this.generation) return hit.doc;
    const doc = customOpenApiV3(defs);
    this.v3.set(gv, { gen: this.generation, doc });
    return doc;
  }
}
