import { computeQuotaUsage } from "../admission/quota.ts";
import type { KubeObject } from "../client.ts";
import type { ControllerContext, RunningController } from "./context.ts";
import { canonicalEq } from "./equal.ts";
import { clone, isConflict, isNotFound, objKey, R } from "./refs.ts";
import { WorkQueue } from "./workqueue.ts";

// ResourceQuota status controller: status.hard mirrors spec.hard and status.used is recomputed
// (with the API server's own computeQuotaUsage, so admission and status agree) whenever an
// object the quota counts changes in its namespace.

type Quota = KubeObject & {
  spec?: { hard?: Record<string, string> };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
};

const WATCHED = [
  R.pods,
  R.services,
  R.configmaps,
  R.secrets,
  R.persistentvolumeclaims,
  R.replicationcontrollers,
  R.deployments,
  R.replicasets,
];

export function startResourceQuotaController(ctx: ControllerContext): RunningController {
  const qInf = ctx.informers.for<Quota>(R.resourcequotas);
  const queue = new WorkQueue((k) => sync(k), { name: "resourcequota", workers: 1, log: ctx.log });
  qInf.addHandler({ add: (q) => queue.add(objKey(q)), update: (_o, q) => queue.add(objKey(q)) });
  const touch = (o: KubeObject) => {
    for (const q of qInf.list(o.metadata.namespace)) queue.add(objKey(q));
  };
  for (const ref of WATCHED) {
    ctx.informers.for(ref).addHandler({ add: touch, update: (_o, n) => touch(n), delete: touch });
  }

  async function sync(key: string) {
    const q = qInf.get(key);
    if (!q || q.metadata.deletionTimestamp) return;
    const hard = q.spec?.hard ?? {};
    const used = await computeQuotaUsage(ctx.client, q.metadata.namespace!, hard);
    if (canonicalEq(q.status?.hard ?? {}, hard) && canonicalEq(q.status?.used ?? {}, used)) return;
    const upd = clone(q);
    upd.status = { hard: { ...hard }, used };
    try {
      await ctx.client.update(R.resourcequotas, upd, { subresource: "status" });
    } catch (err) {
      if (isNotFound(err)) return;
      if (isConflict(err)) throw err;
      throw err;
    }
  }

  return { run: () => queue.start(), stop: () => queue.stop() };
}
