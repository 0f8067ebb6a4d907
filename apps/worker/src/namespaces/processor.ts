// The namespaces queue: `namespace.sync` (one object, job id = object id + generation) and the
// repeatable `namespace.reconcile` (pending objects and drift on every running cluster).
import { getQueue, isJobName, JOBS, jobsEnv, QUEUES, workerConnection } from "@nuage/jobs";
import { type Job, UnrecoverableError, Worker } from "bullmq";
import { reconcileNamespaces } from "./reconcile.ts";
import { syncObject } from "./sync.ts";

/** Short in tests (drift restored within seconds), 30 s otherwise. */
export function namespaceReconcileEveryMs(): number {
  const v = Number(process.env.NUAGE_NAMESPACE_RECONCILE_EVERY_MS);
  if (Number.isFinite(v) && v > 0) return v;
  return process.env.NUAGE_TEST === "1" ? 2_000 : 30_000;
}

export async function startNamespaceProcessors(): Promise<Worker[]> {
  const worker = new Worker(
    QUEUES.namespaces,
    async (job: Job) => {
      if (!isJobName(job.name)) throw new UnrecoverableError(`Unknown job ${job.name}`);
      const parsed = JOBS[job.name].payload.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`Bad payload for ${job.name}: ${parsed.error.message}`);
      if (job.name === "namespace.reconcile") return reconcileNamespaces();
      const { type, id } = parsed.data as { type: "namespace" | "item" | "grant"; id: string };
      return { outcome: await syncObject(type, id) };
    },
    {
      connection: workerConnection(),
      prefix: jobsEnv().NUAGE_QUEUE_PREFIX,
      concurrency: Number(process.env.NUAGE_NAMESPACE_CONCURRENCY) || 5,
    },
  );
  worker.on("failed", (job, err) =>
    console.warn(`[worker] ${job?.name} ${job?.id} failed: ${err.message.slice(0, 300)}`),
  );
  await getQueue(QUEUES.namespaces).upsertJobScheduler(
    "namespace.reconcile",
    { every: namespaceReconcileEveryMs() },
    { name: "namespace.reconcile", data: {}, opts: { removeOnComplete: 50, removeOnFail: 50 } },
  );
  return [worker];
}
