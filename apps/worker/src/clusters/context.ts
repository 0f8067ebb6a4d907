// What a step sees: the operation, its cluster (re-read, scoped by org), the provider, and a way
// to publish live progress.
import { getDb, inOrg } from "@nuage/db";
import type { Cluster, Operation } from "@nuage/db/types";
import type { Provider } from "@nuage/providers";

export interface StepContext {
  op: Operation;
  cluster: Cluster;
  orgId: string;
  provider: Provider;
  /** Admin clients for the tenant cluster, made once per run (see kube.ts). */
  kube?: import("./kube.ts").KubeClients;
  /** Updates the running step's detail (what the portal shows live). */
  detail(text: string): Promise<void>;
}

export type StepFn = (ctx: StepContext) => Promise<string | undefined>;

export class StepError extends Error {
  override name = "StepError";
}

export async function reloadCluster(ctx: StepContext): Promise<Cluster> {
  const c = await getDb().cluster.findFirst({ where: inOrg(ctx.orgId, ctx.cluster.id) });
  if (!c) throw new StepError("The cluster row disappeared");
  ctx.cluster = c;
  return c;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
  everyMs = 500,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new StepError(`${what} did not happen within ${Math.round(timeoutMs / 1000)} s`);
    await sleep(everyMs);
  }
}
