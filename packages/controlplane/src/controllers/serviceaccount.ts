import type { KubeObject } from "../client.ts";
import type { ControllerContext, RunningController } from "./context.ts";
import { clone, isAlreadyExists, isNotFound, R } from "./refs.ts";
import { WorkQueue } from "./workqueue.ts";

// ServiceAccount controller (a `default` ServiceAccount in every active namespace) and the root
// CA publisher (the `kube-root-ca.crt` ConfigMap with the cluster CA in every namespace).

export const ROOT_CA_CM = "kube-root-ca.crt";
const ROOT_CA_DESCRIPTION =
  "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

export function startServiceAccountController(ctx: ControllerContext): RunningController {
  const nsInf = ctx.informers.for(R.namespaces);
  const saInf = ctx.informers.for(R.serviceaccounts);
  const cmInf = ctx.informers.for(R.configmaps);
  const queue = new WorkQueue((k) => sync(k), { name: "serviceaccount", workers: 1, log: ctx.log });
  nsInf.addHandler({ add: (n) => queue.add(n.metadata.name!), update: (_o, n) => queue.add(n.metadata.name!) });
  saInf.addHandler({ delete: (s) => s.metadata.name === "default" && queue.add(s.metadata.namespace!) });
  cmInf.addHandler({
    update: (_o, c) => c.metadata.name === ROOT_CA_CM && queue.add(c.metadata.namespace!),
    delete: (c) => c.metadata.name === ROOT_CA_CM && queue.add(c.metadata.namespace!),
  });

  async function sync(ns: string) {
    const n = nsInf.getByName(undefined, ns);
    if (!n || n.metadata.deletionTimestamp || (n.status as { phase?: string } | undefined)?.phase === "Terminating")
      return;
    if (!saInf.getByName(ns, "default")) {
      await ctx.client
        .create(R.serviceaccounts, {
          apiVersion: "v1",
          kind: "ServiceAccount",
          metadata: { name: "default", namespace: ns },
        })
        .catch(ignore);
    }
    const ca = ctx.opts.caPem;
    if (!ca) return;
    const cm = cmInf.getByName(ns, ROOT_CA_CM);
    const data = { "ca.crt": ca };
    if (!cm) {
      const obj: KubeObject = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: ROOT_CA_CM,
          namespace: ns,
          annotations: { "kubernetes.io/description": ROOT_CA_DESCRIPTION },
        },
        data,
      };
      await ctx.client.create(R.configmaps, obj).catch(ignore);
    } else if ((cm.data as Record<string, string> | undefined)?.["ca.crt"] !== ca) {
      const upd = clone(cm);
      upd.data = data;
      await ctx.client.update(R.configmaps, upd).catch((err) => {
        if (!isNotFound(err)) throw err;
      });
    }
  }

  return { run: () => queue.start(), stop: () => queue.stop() };
}

function ignore(err: unknown) {
  // Created meanwhile, or the namespace is terminating (403 Forbidden): nothing to do.
  if (isAlreadyExists(err) || isNotFound(err) || (err as { code?: number }).code === 403) return;
  throw err;
}
