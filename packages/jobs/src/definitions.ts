// Every job: a queue, a name, a zod payload (ids only). Handlers live in apps/worker.
import { z } from "zod";

export const QUEUES = {
  mail: "mail",
  clusters: "clusters",
  namespaces: "namespaces",
  metering: "metering",
  billing: "billing",
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const ZMailSendPayload = z.object({ outboxId: z.string().min(1) });
export const ZMailSweepPayload = z.object({});
/** Runs one cluster operation (create, update, upgrade, delete); the job id is the operation id. */
export const ZClusterOperationPayload = z.object({ operationId: z.string().min(1) });
/** Compares desired state with what the provider holds (repeatable). */
export const ZClusterReconcilePayload = z.object({});
/** Applies one namespace object (namespace, secret/configmap, grant) to its cluster; job id = object id + generation. */
export const ZNamespaceSyncPayload = z.object({
  type: z.enum(["namespace", "item", "grant"]),
  id: z.string().min(1),
});
/** Applies pending namespace objects and corrects drift on every running cluster (repeatable). */
export const ZNamespaceReconcilePayload = z.object({});
/** Metering: one collector run over every cluster (repeatable); rollups follow in the same run. */
export const ZMeteringCollectPayload = z.object({});
/** Budget alerts for every org with a budget (repeatable). */
export const ZMeteringBudgetsPayload = z.object({});
/** Billing (repeatable): close due months, report usage to Stripe, move dunning stages. */
export const ZBillingPayload = z.object({});

export const JOBS = {
  "mail.send": { queue: QUEUES.mail, payload: ZMailSendPayload },
  "mail.sweep": { queue: QUEUES.mail, payload: ZMailSweepPayload },
  "cluster.operation": { queue: QUEUES.clusters, payload: ZClusterOperationPayload },
  "cluster.reconcile": { queue: QUEUES.clusters, payload: ZClusterReconcilePayload },
  "namespace.sync": { queue: QUEUES.namespaces, payload: ZNamespaceSyncPayload },
  "namespace.reconcile": { queue: QUEUES.namespaces, payload: ZNamespaceReconcilePayload },
  "metering.collect": { queue: QUEUES.metering, payload: ZMeteringCollectPayload },
  "metering.budgets": { queue: QUEUES.metering, payload: ZMeteringBudgetsPayload },
  "billing.close": { queue: QUEUES.billing, payload: ZBillingPayload },
  "billing.report": { queue: QUEUES.billing, payload: ZBillingPayload },
  "billing.dunning": { queue: QUEUES.billing, payload: ZBillingPayload },
} as const;

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOBS)[N]["payload"]>;

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOBS, name);
}
