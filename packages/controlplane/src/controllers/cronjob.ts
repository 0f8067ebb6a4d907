import type { KubeObject } from "../client.ts";
import type { ControllerContext, RunningController } from "./context.ts";
import { parseSchedule } from "./cron.ts";
import { isJobFinished, type Job } from "./job.ts";
import { getCondition } from "./podutil.ts";
import { controllerRef, isAlreadyExists, isNotFound, objKey, R, splitKey } from "./refs.ts";
import { ownerRefTo, writeStatus } from "./workload-util.ts";
import { WorkQueue } from "./workqueue.ts";

// CronJob controller, after upstream's cronjob_controllerv2: at each scheduled time (in
// spec.timeZone) a Job `<cronjob>-<minutes since epoch>` from jobTemplate; concurrencyPolicy
// Allow/Forbid/Replace; startingDeadlineSeconds; suspend; status.active/lastScheduleTime/
// lastSuccessfulTime; finished Jobs beyond successful/failedJobsHistoryLimit deleted. The clock
// is `opts.now` so tests move time instead of waiting for minutes; the controller requeues each
// CronJob for its next scheduled time.

type Json = any;
export type CronJob = KubeObject & { spec?: Json; status?: Json };

interface ObjectReference {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid?: string;
  resourceVersion?: string;
}

const SCHEDULED_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp";

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function startCronJobController(ctx: ControllerContext): RunningController {
  const cjInf = ctx.informers.for<CronJob>(R.cronjobs);
  const jobInf = ctx.informers.for<Job>(R.jobs);
  const recorder = ctx.recorder("cronjob-controller");
  const now = ctx.opts.now ?? (() => new Date());
  const queue = new WorkQueue(sync, { name: "cronjob-controller", workers: 1, log: ctx.log });
  const seenFinished = new Set<string>();

  cjInf.addHandler({ add: (c) => queue.add(objKey(c)), update: (_o, c) => queue.add(objKey(c)) });
  const onJob = (j: Job) => {
    const ref = controllerRef(j);
    if (ref?.kind === "CronJob") queue.add(`${j.metadata.namespace}/${ref.name}`);
  };
  jobInf.addHandler({ add: onJob, update: (_o, j) => onJob(j), delete: onJob });

  async function deleteJob(cj: CronJob, j: Job, reason = "SuccessfulDelete") {
    try {
      await ctx.client.delete(R.jobs, j.metadata.namespace, j.metadata.name!, {
        propagationPolicy: "Background",
        preconditions: { uid: j.metadata.uid },
      });
      recorder.normal(cj, reason, `Deleted job ${j.metadata.name}`);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async function sync(key: string): Promise<void> {
    const { namespace } = splitKey(key);
    const ns = namespace ?? "default";
    const cj = cjInf.get(key);
    if (!cj || cj.metadata.deletionTimestamp) return;
    const spec = cj.spec ?? {};
    const jobs = jobInf.list(ns).filter((j) => controllerRef(j)?.uid === cj.metadata.uid);
    const status: Json = { ...(cj.status ?? {}) };
    const current = () => new Date(now().getTime());

    // Active and finished jobs.
    const active: ObjectReference[] = [];
    let lastSuccess = status.lastSuccessfulTime ? Date.parse(status.lastSuccessfulTime) : 0;
    for (const j of jobs) {
      const state = isJobFinished(j);
      if (!state) {
        if (!j.metadata.deletionTimestamp) {
          active.push({
            apiVersion: "batch/v1",
            kind: "Job",
            name: j.metadata.name!,
            namespace: ns,
            uid: j.metadata.uid,
            resourceVersion: j.metadata.resourceVersion,
          });
        }
        continue;
      }
      if (!seenFinished.has(j.metadata.uid!)) {
        seenFinished.add(j.metadata.uid!);
        if ((status.active ?? []).some((a: Json) => a.uid === j.metadata.uid)) {
          recorder.normal(cj, "SawCompletedJob", `Saw completed job: ${j.metadata.name}, status: ${state}`);
        }
      }
      if (state === "Complete") {
        const t = Date.parse(j.status?.completionTime ?? getCondition(j, "Complete")?.lastTransitionTime ?? "");
        if (t > lastSuccess) lastSuccess = t;
      }
    }
    if (lastSuccess) status.lastSuccessfulTime = rfc3339(new Date(lastSuccess));

    // History limits.
    for (const [state, limit] of [
      ["Complete", spec.successfulJobsHistoryLimit ?? 3],
      ["Failed", spec.failedJobsHistoryLimit ?? 1],
    ] as const) {
      const finished = jobs
        .filter((j) => isJobFinished(j) === state && !j.metadata.deletionTimestamp)
        .sort(
          (a, b) =>
            Date.parse(a.status?.startTime ?? a.metadata.creationTimestamp ?? "") -
            Date.parse(b.status?.startTime ?? b.metadata.creationTimestamp ?? ""),
        );
      for (const j of finished.slice(0, Math.max(0, finished.length - limit))) await deleteJob(cj, j);
    }

    // Schedule.
    let sched: ReturnType<typeof parseSchedule>;
    try {
      sched = parseSchedule(spec.schedule ?? "", spec.timeZone);
    } catch (err) {
      recorder.warning(
        cj,
        "UnparseableSchedule",
        `unparseable schedule: ${JSON.stringify(spec.schedule)} : ${(err as Error).message}`,
      );
      status.active = active.length ? active : undefined;
      if (!status.active) delete status.active;
      await writeStatus(ctx, R.cronjobs, cj, status);
      return;
    }
    const t = current();
    if (!spec.suspend) {
      const since = new Date(
        Math.max(Date.parse(status.lastScheduleTime ?? "") || 0, Date.parse(cj.metadata.creationTimestamp ?? "") || 0),
      );
      const missed = sched.between(since, t, 100);
      if (missed.length > 100) {
        recorder.warning(
          cj,
          "TooManyMissedTimes",
          "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew",
        );
      }
      const scheduled = missed[missed.length - 1];
      if (scheduled) {
        const deadline = spec.startingDeadlineSeconds;
        const tooLate = deadline != null && scheduled.getTime() + deadline * 1000 < t.getTime();
        const name = `${cj.metadata.name}-${Math.floor(scheduled.getTime() / 60000)}`;
        const alreadyMade = jobs.some((j) => j.metadata.name === name);
        if (tooLate) {
          recorder.warning(cj, "MissSchedule", `Missed scheduled time to start a job: ${rfc3339(scheduled)}`);
        } else if (!alreadyMade && spec.concurrencyPolicy === "Forbid" && active.length) {
          recorder.normal(
            cj,
            "JobAlreadyActive",
            "Not starting job because prior execution is running and concurrency policy is Forbid",
          );
        } else if (!alreadyMade) {
          if (spec.concurrencyPolicy === "Replace") {
            for (const a of active) {
              const j = jobInf.getByName(ns, a.name!);
              if (j) await deleteJob(cj, j);
            }
            active.length = 0;
          }
          const tpl = spec.jobTemplate ?? {};
          const job: Job = {
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: {
              name,
              namespace: ns,
              labels: { ...(tpl.metadata?.labels ?? {}) },
              annotations: { ...(tpl.metadata?.annotations ?? {}), [SCHEDULED_ANNOTATION]: rfc3339(scheduled) },
              ownerReferences: [ownerRefTo(cj, "batch/v1", "CronJob")],
            },
            spec: structuredClone(tpl.spec ?? {}),
          };
          try {
            const created = await ctx.client.create<Job>(R.jobs, job);
            recorder.normal(cj, "SuccessfulCreate", `Created job ${name}`);
            active.push({
              apiVersion: "batch/v1",
              kind: "Job",
              name,
              namespace: ns,
              uid: created.metadata.uid,
              resourceVersion: created.metadata.resourceVersion,
            });
          } catch (err) {
            if (!isAlreadyExists(err)) {
              recorder.warning(cj, "FailedCreate", `Error creating job: ${(err as Error).message}`);
              throw err;
            }
          }
          status.lastScheduleTime = rfc3339(scheduled);
        }
      }
      const next = sched.next(t);
      queue.addAfter(key, Math.max(100, next.getTime() - t.getTime() + 100));
    }
    status.active = active.length ? active : undefined;
    if (!status.active) delete status.active;
    await writeStatus(ctx, R.cronjobs, cj, status);
  }

  return { run: () => queue.start(), stop: () => queue.stop() };
}
