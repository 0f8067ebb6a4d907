// The metering queue: the repeatable collector (every NUAGE_METERING_INTERVAL_SECONDS) and budget checks.
// Concurrency 1 per worker; two workers (or a run retried after a crash) may overlap safely: see collector.ts.
import { meteringEnv } from "@nuage/core";
import { getQueue, isJobName, JOBS, jobsEnv, QUEUES, workerConnection } from "@nuage/jobs";
import { type Job, UnrecoverableError, Worker } from "bullmq";
import { checkAllBudgets, collectAll } from "./collector.ts";

export const BUDGETS_EVERY_MS = 5 * 60_000;

export async function startMeteringProcessors(): Promise<Worker[]> {
  const env = meteringEnv();
  const lock = Math.max(30_000, env.NUAGE_METERING_INTERVAL_SECONDS * 2000);
  const worker = new Worker(
    QUEUES.metering,
    async (job: Job) => {
      if (!isJobName(job.name)) throw new UnrecoverableError(`Unknown job ${job.name}`);
      const parsed = JOBS[job.name].payload.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`Bad payload for ${job.name}: ${parsed.error.message}`);
      if (job.name === "metering.collect") return collectAll();
      if (job.name === "metering.budgets") return checkAllBudgets();
      throw new UnrecoverableError(`Job ${job.name} does not belong to the metering queue`);
    },
    {
      connection: workerConnection(),
      prefix: jobsEnv().NUAGE_QUEUE_PREFIX,
      concurrency: 1,
      lockDuration: lock,
      stalledInterval: lock,
      maxStalledCount: 100,
    },
  );
  worker.on("failed", (job, err) => console.warn(`[metering] ${job?.name} ${job?.id} failed: ${err.message}`));
  const queue = getQueue(QUEUES.metering);
  await queue.upsertJobScheduler(
    "metering.collect",
    { every: env.NUAGE_METERING_INTERVAL_SECONDS * 1000 },
    { name: "metering.collect", data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } },
  );
  await queue.upsertJobScheduler(
    "metering.budgets",
    { every: BUDGETS_EVERY_MS },
    { name: "metering.budgets", data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } },
  );
  return [worker];
}
