// Built-in namespace lifecycle work: a default ServiceAccount in every new namespace, and the
// "kubernetes" finalizer of a terminating namespace (delete its contents, then finalize).
import { ApiError } from "../client.ts";
import { ensureDefaultServiceAccount } from "./bootstrap.ts";
import { loopbackContext } from "./context.ts";
import { findResource } from "./registry.ts";
import type { Store } from "./store.ts";

type Json = any;
const NS = findResource("", "v1", "namespaces")!;

export class NamespaceWorker {
  private handle?: { stop(): void };
  private running = new Set<string>();
  private timers = new Set<NodeJS.Timeout>();
  private attempts = new Map<string, number>();

  constructor(private readonly store: Store) {}

  async start(): Promise<void> {
    const list = await this.store.list(NS);
    for (const ns of list.items) if (ns.metadata.deletionTimestamp) void this.finalize(ns.metadata.name!);
    const watch = (rv: string) => {
      this.handle = this.store.watch(
        NS,
        { resourceVersion: rv },
        (e) => {
          const name = e.object.metadata.name!;
          if (e.type === "ADDED") void ensureDefaultServiceAccount(this.store, name).catch(() => {});
          if (e.type !== "DELETED" && e.object.metadata.deletionTimestamp) void this.finalize(name);
        },
        () => void this.store.list(NS).then((l) => watch(l.resourceVersion)),
      );
    };
    watch(list.resourceVersion);
  }

  private async finalize(name: string): Promise<void> {
    if (this.running.has(name)) return;
    this.running.add(name);
    let remaining = 0;
    try {
      const ctx = loopbackContext();
      for (let pass = 0; pass < 2; pass++) {
        remaining = 0;
        for (const def of this.store.resources.list()) {
          // Every served version of a custom resource shares one storage: visit it once.
          if (def.crd && def.version !== def.crd.storageVersion) continue;
          if (!def.namespaced || def.stored === false || def.group === "events.k8s.io") continue;
          const items = (await this.store.list(def, { namespace: name })).items;
          for (const o of items) {
            if (pass === 0 && !o.metadata.deletionTimestamp) {
              await this.store
                .delete(ctx, def, name, o.metadata.name!, { propagationPolicy: "Background" })
                .catch(() => {});
            }
            if (pass === 1) remaining++;
          }
        }
      }
      if (remaining === 0) {
        const ns = (await this.store.get(NS, undefined, name)) as Json;
        ns.spec = { ...(ns.spec ?? {}), finalizers: [] };
        await this.store.update(ctx, NS, ns, { name, subresource: "finalize" });
      }
    } catch (e) {
      if (e instanceof ApiError && e.code === 404) remaining = 0;
      else remaining = 1;
    } finally {
      this.running.delete(name);
    }
    if (remaining > 0) {
      // Contents are still going away (graceful pod deletion): look again, backing off to 30 s.
      const n = (this.attempts.get(name) ?? 0) + 1;
      this.attempts.set(name, n);
      const t = setTimeout(
        () => {
          this.timers.delete(t);
          void this.finalize(name);
        },
        Math.min(1000 * 2 ** Math.min(n - 1, 5), 30_000),
      );
      this.timers.add(t);
    } else this.attempts.delete(name);
  }

  stop(): void {
    this.handle?.stop();
    for (const t of this.timers) clearTimeout(t);
  }
}
