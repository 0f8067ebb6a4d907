import type { KubeObject } from "../client.ts";
import type { ControllerContext, RunningController } from "./context.ts";
import { type Condition, getCondition, isPodReady, type Pod } from "./podutil.ts";
import { clone, controllerRef, isNotFound, nowIso, objKey, R, splitKey } from "./refs.ts";
import { deletionRank } from "./replicaset.ts";
import { ownerRefTo, podFromTemplate, stableJson, upsertCondition, writeStatus } from "./workload-util.ts";
import { WorkQueue } from "./workqueue.ts";

// Job controller (batch/v1), after upstream's pkg/controller/job: pods carry the
// `batch.kubernetes.io/job-tracking` finalizer until the controller has counted them
// (status.uncountedTerminatedPods, then succeeded/failed), so deleting a finished pod never
// loses a count. Parallelism and completions, Indexed completion mode, backoffLimit with
// exponential back-off between failures (10 s doubling to 6 min), activeDeadlineSeconds, suspend,
// SuccessCriteriaMet/Complete and FailureTarget/Failed conditions like 1.31+.

type Json = any;
export type Job = KubeObject & { spec?: Json; status?: Json };

export const JOB_TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";
const INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index";
const MAX_BACKOFF_MS = 360_000;

export function isJobFinished(job: Job): "Complete" | "Failed" | undefined {
  for (const t of ["Complete", "Failed"] as const) if (getCondition(job, t)?.status === "True") return t;
  return undefined;
}

/** "0-2,4,6-7" from a set of indexes, as status.completedIndexes. */
export function formatIndexes(ix: Iterable<number>): string {
  const sorted = [...new Set(ix)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

export function parseIndexes(s: string | undefined): Set<number> {
  const out = new Set<number>();
  for (const part of (s ?? "").split(",").filter(Boolean)) {
    const [a, b] = part.split("-").map((x) => Number.parseInt(x, 10));
    if (a === undefined || Number.isNaN(a)) continue;
    for (let i = a; i <= (b ?? a); i++) out.add(i);
  }
  return out;
}

function podIndex(p: Pod): number | undefined {
  const v = p.metadata.annotations?.[INDEX_ANNOTATION];
  const n = v === undefined ? Number.NaN : Number.parseInt(v, 10);
  return Number.isNaN(n) ? undefined : n;
}

/**
 * The first podFailurePolicy rule matching a failed pod (upstream's matchPodFailurePolicy):
 * onExitCodes (In/NotIn over non-zero exit codes of the named or any container) or
 * onPodConditions; with the upstream message for FailJob.
 */
export function matchFailurePolicy(
  policy: Json,
  p: Pod,
): { action: "FailJob" | "Ignore" | "Count" | "FailIndex"; message: string } | undefined {
  const rules: Json[] = policy?.rules ?? [];
  const statuses: Json[] = [
    ...((p.status as Json)?.initContainerStatuses ?? []),
    ...((p.status as Json)?.containerStatuses ?? []),
  ];
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (r.onExitCodes) {
      const req = r.onExitCodes;
      for (const cs of statuses) {
        if (req.containerName && cs.name !== req.containerName) continue;
        const code = cs.state?.terminated?.exitCode ?? cs.lastState?.terminated?.exitCode;
        if (code === undefined || code === 0) continue;
        const inValues = (req.values ?? []).includes(code);
        if (req.operator === "In" ? inValues : !inValues) {
          return {
            action: r.action,
            message: `Container ${cs.name} for pod ${p.metadata.namespace}/${p.metadata.name} failed with exit code ${code} matching ${r.action} rule at index ${i}`,
          };
        }
      }
    }
    for (const pc of r.onPodConditions ?? []) {
      const cond = getCondition(p, pc.type);
      if (cond && cond.status === (pc.status ?? "True")) {
        return {
          action: r.action,
          message: `Pod ${p.metadata.namespace}/${p.metadata.name} has condition ${pc.type} matching ${r.action} rule at index ${i}`,
        };
      }
    }
  }
  return undefined;
}

const hasFinalizer = (p: Pod) => (p.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
const isFailedPod = (p: Pod) =>
  p.status?.phase === "Failed" || (!!p.metadata.deletionTimestamp && p.status?.phase !== "Succeeded");
const isActivePod = (p: Pod) =>
  !p.metadata.deletionTimestamp && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed";

export function startJobController(ctx: ControllerContext): RunningController {
  const jobInf = ctx.informers.for<Job>(R.jobs);
  const podInf = ctx.informers.for<Pod>(R.pods);
  const recorder = ctx.recorder("job-controller");
  const backoffBase = (ctx.opts.jobBackoffBaseSeconds ?? 10) * 1000;
  const expect = new Map<string, { adds: Set<string>; dels: Set<string>; at: number }>();
  const lastFailure = new Map<string, { count: number; at: number }>();
  // A FailJob rule matched (kept until the Failed condition is written).
  const failureMessages = new Map<string, string>();
  const queue = new WorkQueue((k) => (k.startsWith("orphan:") ? orphan(k.slice(7)) : sync(k)), {
    name: "job-controller",
    workers: 2,
    log: ctx.log,
  });

  const onPod = (p: Pod) => {
    const ref = controllerRef(p);
    if (ref?.kind !== "Job") return;
    const key = `${p.metadata.namespace}/${ref.name}`;
    const job = jobInf.get(key);
    if (job && job.metadata.uid === ref.uid) queue.add(key);
    else if (hasFinalizer(p)) queue.add(`orphan:${objKey(p)}`);
  };
  jobInf.addHandler({
    add: (j) => queue.add(objKey(j)),
    update: (_o, j) => queue.add(objKey(j)),
    delete: (j) => {
      expect.delete(objKey(j));
      lastFailure.delete(objKey(j));
      failureMessages.delete(objKey(j));
      for (const p of podInf.list(j.metadata.namespace)) {
        if (controllerRef(p)?.uid === j.metadata.uid && hasFinalizer(p)) queue.add(`orphan:${objKey(p)}`);
      }
    },
  });
  podInf.addHandler({ add: onPod, update: (_o, p) => onPod(p), delete: onPod });

  /** A pod whose Job is gone keeps no finalizer. */
  async function orphan(key: string) {
    const p = podInf.get(key);
    if (!p || !hasFinalizer(p)) return;
    const ref = controllerRef(p);
    const job = ref ? jobInf.getByName(p.metadata.namespace, ref.name) : undefined;
    if (job && job.metadata.uid === ref?.uid) return;
    await removeFinalizer(p);
  }

  async function removeFinalizer(p: Pod) {
    const finalizers = (p.metadata.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER);
    try {
      await ctx.client.patch(R.pods, p.metadata.namespace, p.metadata.name!, "merge", {
        metadata: { finalizers: finalizers.length ? finalizers : null, resourceVersion: p.metadata.resourceVersion },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  function satisfied(key: string, ns: string): boolean {
    const e = expect.get(key);
    if (!e) return true;
    if (Date.now() - e.at > 30_000) {
      expect.delete(key);
      return true;
    }
    for (const n of e.adds) if (podInf.getByName(ns, n)) e.adds.delete(n);
    for (const n of e.dels) {
      const p = podInf.getByName(ns, n);
      if (!p || p.metadata.deletionTimestamp) e.dels.delete(n);
    }
    if (!e.adds.size && !e.dels.size) {
      expect.delete(key);
      return true;
    }
    return false;
  }
  const expectation = (key: string) => {
    const e = expect.get(key) ?? { adds: new Set<string>(), dels: new Set<string>(), at: Date.now() };
    e.at = Date.now();
    expect.set(key, e);
    return e;
  };

  async function sync(key: string): Promise<void> {
    const { namespace } = splitKey(key);
    const ns = namespace ?? "default";
    let job = jobInf.get(key);
    if (!job) return;
    const pods = podInf.list(ns).filter((p) => controllerRef(p)?.uid === job!.metadata.uid);
    if (job.metadata.deletionTimestamp) {
      // Foreground deletion: let the garbage collector delete the pods, never block them.
      for (const p of pods)
        if (hasFinalizer(p) && (p.metadata.deletionTimestamp || !isActivePod(p))) await removeFinalizer(p);
      return;
    }
    const spec = job.spec ?? {};
    const indexed = spec.completionMode === "Indexed";
    const status: Json = clone(job.status ?? {});
    status.uncountedTerminatedPods ??= {};
    const unc = status.uncountedTerminatedPods;
    const completed = parseIndexes(status.completedIndexes);
    const failedIx = parseIndexes(status.failedIndexes);

    // 1. Count terminated pods: record them as uncounted, drop the finalizers, then count them.
    const newlyUncounted: Pod[] = [];
    const ignored: Pod[] = [];
    let policyFailure: string | undefined = failureMessages.get(key);
    for (const p of pods) {
      if (!hasFinalizer(p)) continue;
      const uid = p.metadata.uid!;
      if ((unc.succeeded ?? []).includes(uid) || (unc.failed ?? []).includes(uid)) {
        newlyUncounted.push(p);
        continue;
      }
      if (p.status?.phase === "Succeeded") {
        unc.succeeded = [...(unc.succeeded ?? []), uid];
        newlyUncounted.push(p);
      } else if (isFailedPod(p)) {
        const rule = p.status?.phase === "Failed" ? matchFailurePolicy(spec.podFailurePolicy, p) : undefined;
        if (rule?.action === "Ignore") {
          // Not counted, not toward backoffLimit: the pod is only released (and replaced).
          ignored.push(p);
          continue;
        }
        if (rule?.action === "FailJob") policyFailure ??= rule.message;
        unc.failed = [...(unc.failed ?? []), uid];
        newlyUncounted.push(p);
      }
    }
    if (ignored.length) await Promise.all(ignored.map(removeFinalizer));
    if (newlyUncounted.length) {
      if (stableJson(status.uncountedTerminatedPods) !== stableJson(job.status?.uncountedTerminatedPods ?? {})) {
        await writeStatus(ctx, R.jobs, job, status);
        job = { ...job, status: clone(status) };
      }
      await Promise.all(newlyUncounted.map(removeFinalizer));
    }
    const byUid = new Map(pods.map((p) => [p.metadata.uid!, p]));
    let newFailures = 0;
    for (const kind of ["succeeded", "failed"] as const) {
      const keep: string[] = [];
      for (const uid of unc[kind] ?? []) {
        const p = byUid.get(uid);
        const stillHeld = p && hasFinalizer(p) && !newlyUncounted.includes(p);
        if (stillHeld) {
          keep.push(uid);
          continue;
        }
        const ix = p ? podIndex(p) : undefined;
        if (kind === "succeeded") {
          if (indexed) {
            if (ix !== undefined && ix < (spec.completions ?? 0)) completed.add(ix);
          } else status.succeeded = (status.succeeded ?? 0) + 1;
        } else {
          status.failed = (status.failed ?? 0) + 1;
          newFailures++;
          if (indexed && ix !== undefined && spec.backoffLimitPerIndex !== undefined) failedIx.add(ix);
        }
      }
      if (keep.length) unc[kind] = keep;
      else delete unc[kind];
    }
    if (indexed) {
      status.succeeded = completed.size;
      if (completed.size) status.completedIndexes = formatIndexes(completed);
    }
    if (newFailures) lastFailure.set(key, { count: (lastFailure.get(key)?.count ?? 0) + newFailures, at: Date.now() });

    // 2. Decide.
    const now = Date.now();
    const active = pods.filter(isActivePod);
    const terminating = pods.filter((p) => p.metadata.deletionTimestamp && !isPodDone(p));
    let conds: Condition[] = status.conditions ?? [];
    const finished = isJobFinished({ ...job, status });
    if (!finished) {
      if (spec.suspend) {
        await deletePods(job, active, key, ns);
        conds = upsertCondition(conds, {
          type: "Suspended",
          status: "True",
          reason: "JobSuspended",
          message: "Job suspended",
        });
        if (getCondition(job, "Suspended")?.status !== "True") recorder.normal(job, "Suspended", "Job suspended");
        active.length = 0;
      } else {
        if (getCondition(job, "Suspended")?.status === "True") {
          conds = upsertCondition(conds, {
            type: "Suspended",
            status: "False",
            reason: "JobResumed",
            message: "Job resumed",
          });
          recorder.normal(job, "Resumed", "Job resumed");
          status.startTime = nowIso();
        }
        status.startTime ??= nowIso();
        const restarts =
          spec.template?.spec?.restartPolicy === "OnFailure"
            ? active.reduce(
                (s, p) => s + (p.status?.containerStatuses ?? []).reduce((t, c) => t + (c.restartCount ?? 0), 0),
                0,
              )
            : 0;
        const failures = (status.failed ?? 0) + restarts;
        let failReason: [string, string] | undefined;
        if (policyFailure) failureMessages.set(key, policyFailure);
        if (policyFailure) {
          failReason = ["PodFailurePolicy", policyFailure];
        } else if (spec.backoffLimit !== undefined && failures > spec.backoffLimit) {
          failReason = ["BackoffLimitExceeded", "Job has reached the specified backoff limit"];
        } else if (spec.activeDeadlineSeconds != null) {
          const due = Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000;
          if (now >= due) failReason = ["DeadlineExceeded", "Job was active longer than specified deadline"];
          else queue.addAfter(key, due - now + 50);
        }
        if (failReason) {
          await deletePods(job, active, key, ns);
          conds = upsertCondition(
            conds,
            { type: "FailureTarget", status: "True", reason: failReason[0], message: failReason[1] },
            { lastProbeTime: nowIso() },
          );
          conds = upsertCondition(
            conds,
            { type: "Failed", status: "True", reason: failReason[0], message: failReason[1] },
            { lastProbeTime: nowIso() },
          );
          recorder.warning(job, failReason[0], failReason[1]);
          active.length = 0;
        } else {
          const completions: number | undefined = spec.completions ?? undefined;
          const succeeded = status.succeeded ?? 0;
          const done = indexed
            ? completed.size >= (completions ?? 0)
            : completions != null
              ? succeeded >= completions
              : succeeded > 0 && active.length === 0;
          if (done) {
            if (active.length) await deletePods(job, active, key, ns);
            conds = upsertCondition(
              conds,
              {
                type: "SuccessCriteriaMet",
                status: "True",
                reason: "CompletionsReached",
                message: "Reached expected number of succeeded pods",
              },
              { lastProbeTime: nowIso() },
            );
            if (!active.length && !terminating.length) {
              conds = upsertCondition(
                conds,
                {
                  type: "Complete",
                  status: "True",
                  reason: "CompletionsReached",
                  message: "Reached expected number of succeeded pods",
                },
                { lastProbeTime: nowIso() },
              );
              status.completionTime = nowIso();
              recorder.normal(job, "Completed", "Job completed");
            }
            active.length = 0;
          } else if (satisfied(key, ns)) {
            const parallelism = spec.parallelism ?? 1;
            const delay = backoffDelay(key);
            if (indexed) {
              const running = new Set(active.map(podIndex).filter((x) => x !== undefined));
              const missing: number[] = [];
              for (let i = 0; i < (completions ?? 0) && missing.length + active.length < parallelism; i++) {
                if (!completed.has(i) && !running.has(i) && !failedIx.has(i)) missing.push(i);
              }
              if (active.length > parallelism) {
                await deletePods(job, [...active].sort(deletionRank).slice(0, active.length - parallelism), key, ns);
              } else if (missing.length) {
                if (delay > 0) queue.addAfter(key, delay);
                else await createPods(job, missing, key, ns);
              }
            } else {
              const want =
                completions != null
                  ? Math.max(0, Math.min(parallelism, completions - succeeded - (unc.succeeded?.length ?? 0)))
                  : succeeded > 0
                    ? 0
                    : parallelism;
              if (active.length > want) {
                await deletePods(job, [...active].sort(deletionRank).slice(0, active.length - want), key, ns);
              } else if (active.length < want) {
                if (delay > 0) queue.addAfter(key, delay);
                else
                  await createPods(
                    job,
                    Array.from({ length: want - active.length }, () => undefined),
                    key,
                    ns,
                  );
              }
            }
          }
        }
      }
      if (isJobFinished({ ...job, status: { conditions: conds } })) {
        if (stableJson(unc) === "{}") delete status.uncountedTerminatedPods;
      }
    }
    status.conditions = conds.length ? conds : undefined;
    if (!status.conditions) delete status.conditions;
    status.active = active.length || undefined;
    status.ready = active.filter(isPodReady).length;
    status.terminating = terminating.length;
    if (!status.active) delete status.active;
    if (indexed && failedIx.size) status.failedIndexes = formatIndexes(failedIx);
    status.uncountedTerminatedPods ??= {};
    await writeStatus(ctx, R.jobs, job, status);
  }

  function backoffDelay(key: string): number {
    const f = lastFailure.get(key);
    if (!f || f.count === 0) return 0;
    const delay = Math.min(backoffBase * 2 ** (f.count - 1), MAX_BACKOFF_MS);
    return f.at + delay - Date.now();
  }

  async function createPods(job: Job, indexes: (number | undefined)[], key: string, ns: string) {
    const e = expectation(key);
    const owner = ownerRefTo(job, "batch/v1", "Job");
    const name = job.metadata.name!;
    const createOne = async (ix: number | undefined) => {
      const pod = podFromTemplate(job.spec?.template, ns, owner, {
        generateName: ix === undefined ? `${name}-` : `${name}-${ix}-`,
        finalizers: [JOB_TRACKING_FINALIZER],
        ...(ix === undefined
          ? {}
          : {
              annotations: { [INDEX_ANNOTATION]: String(ix) },
              labels: { [INDEX_ANNOTATION]: String(ix) },
            }),
      });
      if (ix !== undefined) {
        pod.spec!.hostname ??= `${name}-${ix}`;
        for (const c of pod.spec?.containers ?? []) {
          c.env = [
            ...(c.env ?? []),
            {
              name: "JOB_COMPLETION_INDEX",
              valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: `metadata.annotations['${INDEX_ANNOTATION}']` } },
            },
          ];
        }
      }
      try {
        const created = await ctx.client.create<Pod>(R.pods, pod);
        e.adds.add(created.metadata.name!);
        recorder.normal(job, "SuccessfulCreate", `Created pod: ${created.metadata.name}`);
      } catch (err) {
        if ((err as { code?: number }).code === 403 && /being terminated/.test((err as Error).message)) return;
        recorder.warning(job, "FailedCreate", `Error creating: ${(err as Error).message}`);
        throw err;
      }
    };
    let done = 0;
    for (let batch = 1; done < indexes.length; batch *= 2) {
      const slice = indexes.slice(done, done + batch);
      done += slice.length;
      const results = await Promise.allSettled(slice.map(createOne));
      const failed = results.find((r) => r.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }
  }

  async function deletePods(job: Job, pods: Pod[], key: string, ns: string) {
    if (!pods.length) return;
    const e = expectation(key);
    await Promise.all(
      pods.map(async (p) => {
        e.dels.add(p.metadata.name!);
        try {
          await ctx.client.delete(R.pods, ns, p.metadata.name!, { preconditions: { uid: p.metadata.uid } });
          recorder.normal(job, "SuccessfulDelete", `Deleted pod: ${p.metadata.name}`);
        } catch (err) {
          e.dels.delete(p.metadata.name!);
          if (!isNotFound(err)) throw err;
        }
      }),
    );
  }

  return { run: () => queue.start(), stop: () => queue.stop() };
}

function isPodDone(p: Pod): boolean {
  return p.status?.phase === "Succeeded" || p.status?.phase === "Failed";
}

/** TTL-after-finished controller: deletes finished Jobs `ttlSecondsAfterFinished` after they finished. */
export function startTtlController(ctx: ControllerContext): RunningController {
  const jobInf = ctx.informers.for<Job>(R.jobs);
  const queue = new WorkQueue(sync, { name: "ttl-after-finished-controller", workers: 1, log: ctx.log });
  const maybe = (j: Job) => {
    if (j.spec?.ttlSecondsAfterFinished != null && isJobFinished(j) && !j.metadata.deletionTimestamp)
      queue.add(objKey(j));
  };
  jobInf.addHandler({ add: maybe, update: (_o, j) => maybe(j) });

  async function sync(key: string) {
    const job = jobInf.get(key);
    if (!job || job.metadata.deletionTimestamp) return;
    const ttl = job.spec?.ttlSecondsAfterFinished;
    const state = isJobFinished(job);
    if (ttl == null || !state) return;
    const finishedAt =
      job.status?.completionTime ?? getCondition(job, state)?.lastTransitionTime ?? job.metadata.creationTimestamp;
    const due = Date.parse(finishedAt) + ttl * 1000;
    if (due > Date.now()) {
      queue.addAfter(key, due - Date.now() + 50);
      return;
    }
    try {
      await ctx.client.delete(R.jobs, job.metadata.namespace, job.metadata.name!, {
        propagationPolicy: "Background",
        preconditions: { uid: job.metadata.uid },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return { run: () => queue.start(), stop: () => queue.stop() };
}
