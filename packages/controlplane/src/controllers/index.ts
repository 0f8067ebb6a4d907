import type { Client } from "../client.ts";
import { makeContext, type RunningController } from "./context.ts";
import { startCsrController } from "./csr.ts";
import { startDeploymentController } from "./deployment.ts";
import { InformerFactory } from "./informer.ts";
import { startNodeLifecycleController } from "./nodelifecycle.ts";
import type { ControllerOptions } from "./options.ts";
import { RC_KIND, RS_KIND, startReplicaSetController } from "./replicaset.ts";

export type { ControllerOptions } from "./options.ts";

type Starter = (ctx: ReturnType<typeof makeContext>) => RunningController;

const CONTROLLERS: Record<string, Starter> = {
  deployment: startDeploymentController,
  replicaset: (ctx) => startReplicaSetController(ctx, RS_KIND),
  replicationcontroller: (ctx) => startReplicaSetController(ctx, RC_KIND),
  csr: startCsrController,
  nodelifecycle: startNodeLifecycleController,
};

/** Starts kube-controller-manager's controllers against the API server. */
export function startControllers(client: Client, opts: ControllerOptions): { stop(): Promise<void> } {
  const informers = new InformerFactory(client, opts.log);
  const ctx = makeContext(client, informers, opts);
  const enabled = opts.controllers ?? Object.keys(CONTROLLERS);
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
