import type { Node } from "../scheduler/types.ts";
import type { ControllerContext, RunningController } from "./context.ts";
import type { Pod } from "./podutil.ts";
import { isNotFound, objKey, R } from "./refs.ts";
import { WorkQueue } from "./workqueue.ts";

// Pod garbage collector (the orphaned-pods part of upstream's PodGC): a pod bound to a Node that
// no longer exists is force-deleted after a quarantine, so its controller replaces it. Mirror
// pods (the control plane's own, whose node is not a Node object) are left alone.

const QUARANTINE_MS = 40_000;

export function startPodGcController(ctx: ControllerContext, quarantineMs = QUARANTINE_MS): RunningController {
  const podInf = ctx.informers.for<Pod>(R.pods);
  const nodeInf = ctx.informers.for<Node>(R.nodes);
  const timers = new Map<string, NodeJS.Timeout>();
  const queue = new WorkQueue((k) => sync(k), { name: "pod-garbage-collector", workers: 1, log: ctx.log });

  const isMirror = (p: Pod) => p.metadata.annotations?.["kubernetes.io/config.mirror"] !== undefined;
  const check = (p: Pod) => {
    const node = p.spec?.nodeName;
    if (!node || isMirror(p) || nodeInf.getByName(undefined, node)) return;
    const key = objKey(p);
    if (timers.has(key)) return;
    const t = setTimeout(() => {
      timers.delete(key);
      queue.add(key);
    }, quarantineMs);
    t.unref?.();
    timers.set(key, t);
  };
  podInf.addHandler({
    add: check,
    update: (_o, p) => check(p),
    delete: (p) => {
      const t = timers.get(objKey(p));
      if (t) clearTimeout(t);
      timers.delete(objKey(p));
    },
  });
  nodeInf.addHandler({
    delete: (n) => {
      for (const p of podInf.list()) if (p.spec?.nodeName === n.metadata.name) check(p);
    },
  });

  async function sync(key: string) {
    const [ns, name] = key.split("/") as [string, string];
    const pod = podInf.getByName(ns, name);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName || isMirror(pod) || nodeInf.getByName(undefined, nodeName)) return;
    try {
      await ctx.client.get(R.nodes, undefined, nodeName);
      return; // the node exists after all (cache lag)
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    ctx.log(`pod-garbage-collector: deleting ${key}, bound to missing node ${nodeName}`);
    await ctx.client
      .delete(R.pods, ns, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } })
      .catch((err) => {
        if (!isNotFound(err) && (err as { code?: number }).code !== 409) throw err;
      });
  }

  return {
    run: () => {
      for (const p of podInf.list()) check(p);
      queue.start();
    },
    stop: async () => {
      for (const t of timers.values()) clearTimeout(t);
      await queue.stop();
    },
  };
}
