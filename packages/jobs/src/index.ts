export {
  isJobName,
  JOBS,
  type JobName,
  type JobPayload,
  QUEUES,
  type QueueName,
  ZClusterOperationPayload,
  ZMailSendPayload,
} from "./definitions.ts";
export { closeQueues, enqueue, getQueue } from "./enqueue.ts";
export { jobsEnv } from "./env.ts";
export { closeRedis, producerConnection, redis, workerConnection } from "./redis.ts";
