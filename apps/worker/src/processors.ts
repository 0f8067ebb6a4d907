import { dispatchMail } from "@nuage/core";
import { getQueue, isJobName, JOBS, jobsEnv, QUEUES, workerConnection } from "@nuage/jobs";
import { type Job, UnrecoverableError, Worker } from "bullmq";
import { startBillingProcessors } from "./billing/processor.ts";
import { startClusterProcessors } from "./clusters/processor.ts";
import { createTransport, pendingOutboxIds, sendOutboxMail } from "./mail.ts";
import { startMeteringProcessors } from "./metering/processor.ts";
import { startNamespaceProcessors } from "./namespaces/processor.ts";

export const SWEEP_EVERY_MS = 60_000;

/** Starts the mail worker and registers the outbox sweep. Returns the workers to close on shutdown. */
export async function startProcessors(): Promise<Worker[]> {
  const transport = createTransport();
  const mailWorker = new Worker(
    QUEUES.mail,
    async (job: Job) => {
      if (!isJobName(job.name)) throw new UnrecoverableError(`Unknown job ${job.name}`);
      // Validated again here: a bad payload fails without retry.
      const parsed = JOBS[job.name].payload.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`Bad payload for ${job.name}: ${parsed.error.message}`);
      if (job.name === "mail.send") {
        return sendOutboxMail((parsed.data as { outboxId: string }).outboxId, transport);
      }
      const ids = await pendingOutboxIds();
      for (const id of ids) await dispatchMail(id);
      return { requeued: ids.length };
    },
    { connection: workerConnection(), prefix: jobsEnv().NUAGE_QUEUE_PREFIX, concurrency: 5 },
  );
  mailWorker.on("failed", (job, err) => console.warn(`[worker] ${job?.name} ${job?.id} failed: ${err.message}`));
  await getQueue(QUEUES.mail).upsertJobScheduler(
    "mail.sweep",
    { every: SWEEP_EVERY_MS },
    { name: "mail.sweep", data: {} },
  );
  return [
    mailWorker,
    ...(await startClusterProcessors()),
    ...(await startNamespaceProcessors()),
    ...(await startMeteringProcessors()),
    ...(await startBillingProcessors()),
  ];
}
