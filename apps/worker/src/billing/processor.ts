// The billing queue (concurrency 1), three repeatable jobs, each idempotent so a retry or an overlap is harmless:
// billing.close   closes every month that ended NUAGE_BILLING_CLOSE_LAG_MS ago once the collector has metered it
//                 (finalized invoices never change), then refreshes the current month's drafts
// billing.report  first swaps the subscription items of orgs whose plan changed while Stripe failed (only orgs whose
//                 recorded subscription plan differs from their plan), then sends closed hours of usage to Stripe as
//                 meter events (identifier = org:meter:hour); both are no-ops without Stripe
// billing.dunning moves orgs with a failed payment through suspension and hibernation
import {
  closeDueMonths,
  dunningSweep,
  reconcileSubscriptionPlans,
  refreshCurrentDrafts,
  reportUsage,
} from "@nuage/core";
import { getQueue, isJobName, JOBS, jobsEnv, QUEUES, workerConnection } from "@nuage/jobs";
import { type Job, UnrecoverableError, Worker } from "bullmq";

function everyMs(name: string, dflt: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v >= 1000 ? v : dflt;
}

export async function startBillingProcessors(): Promise<Worker[]> {
  const worker = new Worker(
    QUEUES.billing,
    async (job: Job) => {
      if (!isJobName(job.name)) throw new UnrecoverableError(`Unknown job ${job.name}`);
      const parsed = JOBS[job.name].payload.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`Bad payload for ${job.name}: ${parsed.error.message}`);
      if (job.name === "billing.close") {
        const r = await closeDueMonths();
        await refreshCurrentDrafts();
        return r.map((m) => ({ periodStart: m.periodStart.toISOString(), finalized: m.finalized }));
      }
      if (job.name === "billing.report") {
        // Per-org Stripe failures are logged and left to the next run; they do not stop the usage report.
        const plans = await reconcileSubscriptionPlans();
        return { plans, usage: await reportUsage() };
      }
      if (job.name === "billing.dunning") return dunningSweep();
      throw new UnrecoverableError(`Job ${job.name} does not belong to the billing queue`);
    },
    { connection: workerConnection(), prefix: jobsEnv().NUAGE_QUEUE_PREFIX, concurrency: 1, lockDuration: 600_000 },
  );
  worker.on("failed", (job, err) => console.warn(`[billing] ${job?.name} ${job?.id} failed: ${err.message}`));
  const queue = getQueue(QUEUES.billing);
  const opts = { removeOnComplete: 100, removeOnFail: 100 };
  await queue.upsertJobScheduler(
    "billing.close",
    { every: everyMs("NUAGE_BILLING_CLOSE_EVERY_MS", 3_600_000) },
    { name: "billing.close", data: {}, opts },
  );
  await queue.upsertJobScheduler(
    "billing.report",
    { every: everyMs("NUAGE_BILLING_REPORT_EVERY_MS", 3_600_000) },
    { name: "billing.report", data: {}, opts },
  );
  await queue.upsertJobScheduler(
    "billing.dunning",
    { every: everyMs("NUAGE_BILLING_DUNNING_EVERY_MS", 3_600_000) },
    { name: "billing.dunning", data: {}, opts },
  );
  return [worker];
}
