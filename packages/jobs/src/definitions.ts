// Every job: a queue, a name, a zod payload (ids only). Handlers live in apps/worker.
import { z } from "zod";

export const QUEUES = { mail: "mail", clusters: "clusters" } as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const ZMailSendPayload = z.object({ outboxId: z.string().min(1) });
export const ZMailSweepPayload = z.object({});
/** Runs one cluster operation (create, update, upgrade, delete); the job id is the operation id. */
export const ZClusterOperationPayload = z.object({ operationId: z.string().min(1) });
/** Compares desired state with what the provider holds (repeatable). */
export const ZClusterReconcilePayload = z.object({});

export const JOBS = {
  "mail.send": { queue: QUEUES.mail, payload: ZMailSendPayload },
  "mail.sweep": { queue: QUEUES.mail, payload: ZMailSweepPayload },
  "cluster.operation": { queue: QUEUES.clusters, payload: ZClusterOperationPayload },
  "cluster.reconcile": { queue: QUEUES.clusters, payload: ZClusterReconcilePayload },
} as const;

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOBS)[N]["payload"]>;

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOBS, name);
}
