import { RESOURCES, verbsOf } from "../apiserver/registry.ts";
import type { KubeObject, ResourceRef } from "../client.ts";
import type { ControllerContext, RunningController } from "./context.ts";
import { clone, isNotFound, R } from "./refs.ts";
import { WorkQueue } from "./workqueue.ts";

// Namespace lifecycle: a namespace being deleted is Terminating; every namespaced object in it
// (every namespaced resource the server stores) is deleted, then the `kubernetes` finalizer is
// removed so the namespace itself goes away.

type Namespace = KubeObject & {
  spec?: { finalizers?: string[] };
  status?: { phase?: string; conditions?: unknown[] };
};

/** Namespaced resources the server stores and can list and delete (from the API server's registry). */
export function namespacedResources(): ResourceRef[] {
  return RESOURCES.filter(
    (d) =>
      d.namespaced &&
      d.stored !== false &&
      verbsOf(d).includes("delete") &&
      verbsOf(d).includes("list") &&
      !(d.group === "events.k8s.io"), // the same objects as core/v1 events
  ).map((d) => ({ group: d.group, version: d.version, resource: d.resource }));
}

export function startNamespaceController(ctx: ControllerContext): RunningController {
  const inf = ctx.informers.for<Namespace>(R.namespaces);
  const queue = new WorkQueue((k) => sync(k), { name: "namespace", workers: 1, log: ctx.log, maxDelayMs: 5000 });
  inf.addHandler({
    add: (n) => n.metadata.deletionTimestamp && queue.add(n.metadata.name!),
    update: (_o, n) => n.metadata.deletionTimestamp && queue.add(n.metadata.name!),
  });

  async function sync(name: string) {
    const ns = inf.getByName(undefined, name);
    if (!ns?.metadata.deletionTimestamp) return;
    if (ns.status?.phase !== "Terminating") {
      const upd = clone(ns);
      upd.status = { ...(upd.status ?? {}), phase: "Terminating" };
      await ctx.client.update(R.namespaces, upd, { subresource: "status" }).catch((err) => {
        if (!isNotFound(err)) throw err;
      });
    }
    let remaining = 0;
    let soonest = Number.POSITIVE_INFINITY;
    for (const ref of namespacedResources()) {
      let items: KubeObject[];
      try {
        items = (await ctx.client.list(ref, { namespace: name })).items;
      } catch (err) {
        if (isNotFound(err) || (err as { code?: number }).code === 405) continue;
        throw err;
      }
      for (const o of items) {
        remaining++;
        if (o.metadata.deletionTimestamp) {
          const grace = (o.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
          soonest = Math.min(soonest, Math.max(grace, 1000));
          continue;
        }
        try {
          await ctx.client.delete(ref, name, o.metadata.name!, { propagationPolicy: "Background" });
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
    }
    if (remaining > 0) {
      // Some objects take time (graceful pods, finalizers): look again later.
      queue.addAfter(name, Number.isFinite(soonest) ? Math.min(soonest, 5000) : 500);
      return;
    }
    // Empty: drop our finalizer (the finalize subresource), the server then removes the namespace.
    const fresh = await ctx.client.get<Namespace>(R.namespaces, undefined, name).catch((err) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    if (!fresh) return;
    const fins = fresh.spec?.finalizers ?? [];
    if (!fins.includes("kubernetes")) return;
    const upd = clone(fresh);
    upd.spec = { ...(upd.spec ?? {}), finalizers: fins.filter((f) => f !== "kubernetes") };
    upd.status = { ...(upd.status ?? {}), phase: "Terminating" };
    await ctx.client.createSubresource(R.namespaces, undefined, name, "finalize", upd);
  }

  return { run: () => queue.start(), stop: () => queue.stop() };
}
