// Serves what the cluster's CustomResourceDefinitions describe: a watch keeps the served
// resources (discovery, routing, OpenAPI) in step with the CRDs, and a CRD being deleted has its
// custom resources deleted before its cleanup finalizer is removed, as upstream's
// apiextensions finalizer controller does.
import { ApiError } from "../../client.ts";
import { loopbackContext } from "../context.ts";
import { findResource, type ResourceDef } from "../registry.ts";
import type { Store } from "../store.ts";
import { CLEANUP_FINALIZER, servingDefs } from "./strategy.ts";

type Json = any;
export const CRD_DEF = findResource("apiextensions.k8s.io", "v1", "customresourcedefinitions")!;

export class CrdWorker {
  private handle?: { stop(): void };
  private crds = new Map<string, Json>();
  private cleaning = new Set<string>();
  private timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly store: Store) {}

  async start(): Promise<void> {
    const list = await this.store.list(CRD_DEF);
    this.crds = new Map(list.items.map((c) => [c.metadata.name!, c]));
    this.publish();
    for (const c of list.items) if (c.metadata.deletionTimestamp) void this.cleanup(c.metadata.name!);
    this.watchFrom(list.resourceVersion);
  }

  private watchFrom(rv: string): void {
    if (this.stopped) return;
    this.handle = this.store.watch(
      CRD_DEF,
      { resourceVersion: rv },
      (e) => {
        const name = e.object.metadata.name!;
        if (e.type === "DELETED") this.crds.delete(name);
        else this.crds.set(name, e.object);
        this.publish();
        if (e.type !== "DELETED" && e.object.metadata.deletionTimestamp) void this.cleanup(name);
      },
      () => {
        if (this.stopped) return;
        void this.store.list(CRD_DEF).then((l) => {
          this.crds = new Map(l.items.map((c) => [c.metadata.name!, c]));
          this.publish();
          this.watchFrom(l.resourceVersion);
        });
      },
    );
  }

  /** Recomputes the served custom resources from the known CRDs. */
  private publish(): void {
    const defs: ResourceDef[] = [];
    for (const c of this.crds.values()) {
      const established = (c.status?.conditions ?? []).some(
        (x: Json) => x.type === "Established" && x.status === "True",
      );
      if (established) defs.push(...servingDefs(c));
    }
    this.store.resources.setCustom(defs);
  }

  /** Deletes every custom resource of a terminating CRD, then lets the CRD go. */
  private async cleanup(name: string): Promise<void> {
    if (this.cleaning.has(name) || this.stopped) return;
    this.cleaning.add(name);
    let remaining = 0;
    try {
      const crd = this.crds.get(name);
      if (!crd) return;
      const def = servingDefs({
        ...crd,
        spec: { ...crd.spec, versions: (crd.spec.versions ?? []).map((v: Json) => ({ ...v, served: true })) },
      }).find((d) => d.version === d.crd?.storageVersion);
      const ctx = loopbackContext();
      if (def) {
        const items = (await this.store.list(def)).items;
        for (const o of items) {
          remaining++;
          if (o.metadata.deletionTimestamp) continue;
          await this.store
            .delete(ctx, def, o.metadata.namespace, o.metadata.name!, { propagationPolicy: "Background" })
            .catch(() => {});
        }
        if (remaining) remaining = (await this.store.list(def)).items.length;
      }
      if (remaining === 0) {
        const cur = (await this.store.get(CRD_DEF, undefined, name)) as Json;
        cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f: string) => f !== CLEANUP_FINALIZER);
        await this.store.update(ctx, CRD_DEF, cur, { name });
      }
    } catch (e) {
      remaining = e instanceof ApiError && e.code === 404 ? 0 : 1;
    } finally {
      this.cleaning.delete(name);
    }
    if (remaining > 0 && !this.stopped) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        void this.cleanup(name);
      }, 500);
      this.timers.add(t);
    }
  }

  stop(): void {
    this.stopped = true;
    this.handle?.stop();
    for (const t of this.timers) clearTimeout(t);
  }
}
