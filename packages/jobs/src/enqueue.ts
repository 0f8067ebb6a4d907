import { Queue } from "bullmq";
import { JOBS, type JobName, type JobPayload, type QueueName } from "./definitions.ts";
import { jobsEnv } from "./env.ts";
import { producerConnection } from "./redis.ts";

const g = globalThis as unknown as { __nuageQueues?: Map<QueueName, Queue> };
const queues = (g.__nuageQueues ??= new Map());

export function getQueue(name: QueueName): Queue {
  let q = queues.get(name);
  if (!q) {
    q = new Queue(name, {
      connection: producerConnection(),
      prefix: jobsEnv().NUAGE_QUEUE_PREFIX,
      defaultJobOptions: {
        attempts: 5,
        backoff: { type: "exponential", delay: 2_000 },
        removeOnComplete: 1_000,
        removeOnFail: 5_000,
      },
    });
    queues.set(name, q);
  }
  return q;
}

/**
 * Validates the payload, then adds the job. `jobId` makes the enqueue idempotent (BullMQ ignores a
 * second add with the same id while the first is kept).
 */
export async function enqueue<N extends JobName>(name: N, payload: JobPayload<N>, opts: { jobId?: string } = {}) {
  const def = JOBS[name];
  const data = def.payload.parse(payload);
  return getQueue(def.queue).add(name, data, opts.jobId ? { jobId: opts.jobId } : {});
}

export async function closeQueues(): Promise<void> {
  const all = [...queues.values()];
  queues.clear();
  await Promise.all(all.map((q) => q.close()));
}
