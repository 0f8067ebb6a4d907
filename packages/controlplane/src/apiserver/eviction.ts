// POST pods/<name>/eviction (policy/v1 Eviction), like upstream's EvictionREST: a pod covered by
// a PodDisruptionBudget is deleted only if the budget allows one more disruption, which it then
// records (disruptionsAllowed - 1, status.disruptedPods); otherwise 429 TooManyRequests with
// upstream's message, which `kubectl drain` retries.
import type { KubeObject } from "../client.ts";
import type { RequestContext } from "./context.ts";
import { ApiError } from "./errors.ts";
import { findResource, type ResourceDef } from "./registry.ts";
import { selectorMatches } from "./selectors.ts";
import type { Store } from "./store.ts";

type Json = any;

const MSG = "Cannot evict pod as it would violate the pod's disruption budget.";

function tooMany(cause: string): ApiError {
  return new ApiError(429, "TooManyRequests", MSG, {
    causes: [{ reason: "DisruptionBudget", message: cause }],
  });
}

export async function evictPod(
  store: Store,
  ctx: RequestContext,
  podDef: ResourceDef,
  ns: string | undefined,
  name: string,
  body: Json,
): Promise<KubeObject> {
  const pod = (await store.get(podDef, ns, name)) as Json;
  const grace = body?.deleteOptions?.gracePeriodSeconds;
  const uid = body?.deleteOptions?.preconditions?.uid;
  const del = () =>
    store.delete(ctx, podDef, ns, name, {
      gracePeriodSeconds: grace,
      dryRun: ctx.dryRun,
      ...(uid ? { preconditions: { uid } } : {}),
    } as Json);
  const done = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    code: 201,
  } as unknown as KubeObject;
  // Pods that are not running, or already terminating, never count against a budget.
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed" || phase === "Pending" || pod.metadata.deletionTimestamp) {
    await del();
    return done;
  }
  const pdbDef = findResource("policy", "v1", "poddisruptionbudgets")!;
  for (let attempt = 0; attempt < 5; attempt++) {
    const { items } = await store.list(pdbDef, { namespace: ns });
    const pdbs = (items as Json[]).filter(
      (p) => p.spec?.selector && selectorMatches(p.spec.selector, pod.metadata.labels),
    );
    if (!pdbs.length) {
      await del();
      return done;
    }
    if (pdbs.length > 1) {
      throw new ApiError(
        500,
        "InternalError",
        "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
      );
    }
    const pdb = pdbs[0];
    const st = pdb.status ?? {};
    if ((st.observedGeneration ?? 0) < (pdb.metadata.generation ?? 1)) {
      throw tooMany(`The disruption budget ${pdb.metadata.name} is still being processed by the server.`);
    }
    if ((st.disruptionsAllowed ?? 0) <= 0) {
      throw tooMany(
        `The disruption budget ${pdb.metadata.name} needs ${st.desiredHealthy ?? 0} healthy pods and has ${st.currentHealthy ?? 0} currently`,
      );
    }
    if (ctx.dryRun) return done;
    const next = structuredClone(pdb);
    next.status = {
      ...st,
      disruptionsAllowed: st.disruptionsAllowed - 1,
      disruptedPods: {
        ...(st.disruptedPods ?? {}),
        [name]: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      },
    };
    try {
      await store.update(ctx, pdbDef, next, { namespace: ns, name: pdb.metadata.name, subresource: "status" });
    } catch (e) {
      if (e instanceof ApiError && e.code === 409) continue;
      throw e;
    }
    await del();
    return done;
  }
  throw new ApiError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on poddisruptionbudgets.policy: too many concurrent evictions`,
  );
}
