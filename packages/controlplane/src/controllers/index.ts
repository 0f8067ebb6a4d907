import type { Client } from "../client.ts";
import { makeContext, type RunningController } from "./context.ts";
import { startCronJobController } from "./cronjob.ts";
import { startCsrController } from "./csr.ts";
import { startDaemonSetController } from "./daemonset.ts";
import { startDeploymentController } from "./deployment.ts";
import { startDisruptionController } from "./disruption.ts";
import { startEndpointsController } from "./endpoints.ts";
import { startGarbageCollector } from "./gc.ts";
import { startHpaController } from "./hpa.ts";
import { InformerFactory } from "./informer.ts";
import { startJobController, startTtlController } from "./job.ts";
import { startKubeSystemController } from "./kubesystem.ts";
import { startNamespaceController } from "./namespace.ts";
import { startNodeLifecycleController } from "./nodelifecycle.ts";
import type { ControllerOptions } from "./options.ts";
import { startPodGcController } from "./podgc.ts";
import { startPersistentVolumeController } from "./pv.ts";
import { startResourceQuotaController } from "./quota.ts";
import { RC_KIND, RS_KIND, startReplicaSetController } from "./replicaset.ts";
import { startServiceAccountController } from "./serviceaccount.ts";
import { startStatefulSetController } from "./statefulset.ts";

export type { ControllerOptions } from "./options.ts";

type Starter = (ctx: ReturnType<typeof makeContext>) => RunningController;

const CONTROLLERS: Record<string, Starter> = {
  deployment: startDeploymentController,
  replicaset: (ctx) => startReplicaSetController(ctx, RS_KIND),
  replicationcontroller: (ctx) => startReplicaSetController(ctx, RC_KIND),
  csr: startCsrController,
  nodelifecycle: startNodeLifecycleController,
  endpoints: startEndpointsController,
  serviceaccount: startServiceAccountController,
  garbagecollector: startGarbageCollector,
  namespace: startNamespaceController,
  persistentvolume: startPersistentVolumeController,
  resourcequota: startResourceQuotaController,
  kubesystem: startKubeSystemController,
  daemonset: startDaemonSetController,
  statefulset: startStatefulSetController,
  job: startJobController,
  cronjob: startCronJobController,
  disruption: startDisruptionController,
  horizontalpodautoscaling: startHpaController,
  "ttl-after-finished": startTtlController,
  podgc: (ctx) =>
    startPodGcController(
      ctx,
      ctx.opts.podGcQuarantineSeconds !== undefined ? ctx.opts.podGcQuarantineSeconds * 1000 : undefined,
    ),
};

/**
 * Controllers on by default. "namespace" is off: the API server's own NamespaceWorker already
 * empties and finalizes terminating namespaces (enable it with `controllers` to run it here).
 */
export const DEFAULT_CONTROLLERS = Object.keys(CONTROLLERS).filter((c) => c !== "namespace");

/** Starts kube-controller-manager's controllers against the API server. */
export function startControllers(client: Client, opts: ControllerOptions): { stop(): Promise<void> } {
  const informers = new InformerFactory(client, opts.log);
  const ctx = makeContext(client, informers, opts);
  const enabled = opts.controllers ?? DEFAULT_CONTROLLERS;
  const running: RunningController[] = [];
  for (const name of enabled) {
    const start = CONTROLLERS[name];
    if (!start) throw new Error(`controllers: unknown controller ${JSON.stringify(name)}`);
    running.push(start(ctx));
  }
  informers.start();
  let stopped = false;
  void informers.waitForSync().then(() => {
    if (stopped) return;
    for (const c of running) c.run?.();
  });
  return {
    async stop() {
      stopped = true;
      informers.stop();
      await Promise.all(running.map((c) => c.stop()));
    },
  };
}
