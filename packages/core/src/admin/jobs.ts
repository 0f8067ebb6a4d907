// BullMQ queues for operators: counts per state, failed jobs with their error, and retry.
// (bull-board was considered: its adapters want an Express/Fastify/Hono server of their own, not
// an App Router page behind our guard; BullMQ's own Queue API gives what the page needs.)
import { getQueue, QUEUES, type QueueName } from "@nuage/jobs";
import type { Actor } from "../actor.ts";
import { audit } from "../audit.ts";
import { AppError } from "../errors.ts";
import { mutate } from "../tx.ts";

export const QUEUE_NAMES = Object.values(QUEUES) as QueueName[];

export async function queueCounts() {
  return Promise.all(
    QUEUE_NAMES.map(async (name) => {
      const c = await getQueue(name).getJobCounts("waiting", "active", "delayed", "failed", "completed", "prioritized");
      return {
        name,
        waiting: c.waiting ?? 0,
        active: c.active ?? 0,
        delayed: c.delayed ?? 0,
        failed: c.failed ?? 0,
        completed: c.completed ?? 0,
        prioritized: c.prioritized ?? 0,
      };
    }),
  );
}

function assertQueue(name: string): QueueName {
  if (!QUEUE_NAMES.includes(name as QueueName)) {
    throw new AppError("NOT_FOUND", `No queue named ${name}`, { field: "queue" });
  }
  return name as QueueName;
}

/** The newest failed jobs of a queue. Payloads are ids only (see @nuage/jobs), safe to show. */
export async function failedJobs(queue: string, limit = 50) {
  const jobs = await getQueue(assertQueue(queue)).getFailed(0, Math.min(Math.max(limit, 1), 200) - 1);
  return jobs
    .filter((j) => Boolean(j))
    .map((j) => ({
      id: j.id ?? "",
      queue,
      name: j.name,
      data: JSON.stringify(j.data ?? {}).slice(0, 500),
      failedReason: (j.failedReason ?? "").slice(0, 1000),
      attemptsMade: j.attemptsMade,
      createdAt: new Date(j.timestamp),
      finishedAt: j.finishedOn ? new Date(j.finishedOn) : null,
    }));
}

export async function retryJob(actor: Actor, input: { queue: string; id: string }) {
  const q = getQueue(assertQueue(input.queue));
  const job = await q.getJob(input.id);
  if (!job) throw new AppError("NOT_FOUND", "Job not found", { field: "id" });
  if (!(await job.isFailed())) throw new AppError("CONFLICT", "Only a failed job can be retried");
  await job.retry("failed");
  await mutate((tx) =>
    audit(tx, actor, {
      orgId: null,
      action: "admin.job.retry",
      targetType: "job",
      targetId: `${input.queue}/${input.id}`,
    }),
  );
  return { id: input.id, queue: input.queue, state: await job.getState() };
}
