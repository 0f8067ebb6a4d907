// The clusters queue: operations (create/update/upgrade/delete) and the repeatable reconcile.
import { getQueue, isJobName, JOBS, jobsEnv, QUEUES, workerConnection } from "@nuage/jobs";
import { type Job, UnrecoverableError, Worker } from "bullmq";
import { reconcileAll } from "./reconcile.ts";
import { recordFailure, runOperation } from "./runner.ts";

export const RECONCILE_EVERY_MS = Number(process.env.NUAGE_RECONCILE_EVERY_MS) || 30_000;

/**
 * Runs of each operation in this process. Under heavy load a job's lock can lapse while it runs and
 * BullMQ hands the job out again, possibly to this same worker: the second run waits for the
 * first (and then finds it done) instead of running the same steps alongside it.
 */
const inFlight = new Map<string, Promise<unknown>>();

async function runExclusive(operationId: string) {
  const before = inFlight.get(operationId);
  const run = (async () => {
    if (before) await before.catch(() => undefined);
    return runOperation(operationId);
  })();
  inFlight.set(operationId, run);
  try {
    return await run;
  } finally {
    if (inFlight.get(operationId) === run) inFlight.delete(operationId);
  }
}

export async function startClusterProcessors(): Promise<Worker[]> {
  const worker = new Worker(
    QUEUES.clusters,
    async (job: Job) => {
      if (!isJobName(job.name)) throw new UnrecoverableError(`Unknown job ${job.name}`);
      const parsed = JOBS[job.name].payload.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`Bad payload for ${job.name}: ${parsed.error.message}`);
      if (job.name === "cluster.reconcile") return reconcileAll();
      const { operationId } = parsed.data as { operationId: string };
      try {
        return await runExclusive(operationId);
      } catch (e) {
        const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        console.warn(
          `[worker] operation ${operationId} attempt ${job.attemptsMade + 1} failed: ${(e as Error).message}`,
        );
        await recordFailure(operationId, e, final);
        throw e;
      }
    },
    {
      connection: workerConnection(),
      prefix: jobsEnv().NUAGE_QUEUE_PREFIX,
      concurrency: Number(process.env.NUAGE_CLUSTER_CONCURRENCY) || 20,
      // The lock is renewed while a step waits; a killed worker's job is taken over once it lapses.
      // Operations are idempotent, so a job that stalled many times is still safe to run again.
      lockDuration: Number(process.env.NUAGE_JOB_LOCK_MS) || 30_000,
      stalledInterval: Number(process.env.NUAGE_JOB_LOCK_MS) || 30_000,
      maxStalledCount: 100,
    },
  );
  await getQueue(QUEUES.clusters).upsertJobScheduler(
    "cluster.reconcile",
    { every: RECONCILE_EVERY_MS },
    { name: "cluster.reconcile", data: {} },
  );
  return [worker];
}
