// Operations: one row per change of a cluster, with ordered steps; the job id is the operation id.
import { getDb, inOrg, orgWhere, type Prisma, type Tx } from "@nuage/db";
import type { OperationStatus, OperationType, StepStatus } from "@nuage/db/types";

export const ACTIVE_STATUSES: OperationStatus[] = ["pending", "running"];

import { enqueue } from "@nuage/jobs";
import type { OrgScope } from "../actor.ts";
import { actorUserId } from "../actor.ts";
import { audit } from "../audit.ts";
import { AppError } from "../errors.ts";
import { requireRole } from "../roles.ts";
import { mutate } from "../tx.ts";
import { operationView } from "./views.ts";

export const STEP_PLANS: Record<OperationType, string[]> = {
  create: ["certificate-authority", "control-plane", "datastore", "nodes", "add-ons", "ready"],
  update: ["control-plane", "node-pools", "drain", "ready"],
  upgrade: ["control-plane", "nodes", "ready"],
  delete: ["load-balancers", "volumes", "nodes", "control-plane", "cleanup-report"],
};

/** Records an operation and its steps in `tx`; call `enqueueOperation` after commit. */
export async function recordOperation(
  tx: Tx,
  scope: OrgScope,
  input: { clusterId: string; type: OperationType; spec?: Prisma.InputJsonValue },
) {
  // One statement from here for the operation and all its steps (callers may hold the org lock).
  return tx.operation.create({
    data: {
      orgId: scope.orgId,
      clusterId: input.clusterId,
      type: input.type,
      spec: input.spec,
      createdById: actorUserId(scope.actor),
      steps: {
        createMany: { data: STEP_PLANS[input.type].map((name, position) => ({ orgId: scope.orgId, name, position })) },
      },
    },
  });
}

export async function enqueueOperation(operationId: string, attempt = 0): Promise<void> {
  await enqueue(
    "cluster.operation",
    { operationId },
    { jobId: attempt ? `${operationId}-retry${attempt}` : operationId },
  );
}

/** An operation still pending or running on the cluster blocks another change. */
export async function assertNoActiveOperation(tx: Tx, orgId: string, clusterId: string): Promise<void> {
  const active = await tx.operation.findFirst({
    where: orgWhere(orgId, { clusterId, status: { in: ACTIVE_STATUSES } }),
  });
  if (active) {
    throw new AppError(
      "CONFLICT",
      `The cluster is busy with a ${active.type} operation; wait until it finishes (or fails) before changing it`,
    );
  }
}

export async function listOperations(orgId: string, clusterId: string) {
  const cluster = await getDb().cluster.findFirst({ where: inOrg(orgId, clusterId), select: { id: true } });
  if (!cluster) throw new AppError("NOT_FOUND", "Cluster not found");
  const rows = await getDb().operation.findMany({
    where: orgWhere(orgId, { clusterId }),
    include: { steps: true },
    orderBy: { createdAt: "desc" },
    take: 100,
  });
  return rows.map(operationView);
}

export async function getOperation(orgId: string, id: string) {
  const op = await getDb().operation.findFirst({ where: inOrg(orgId, id), include: { steps: true } });
  if (!op) throw new AppError("NOT_FOUND", "Operation not found");
  return operationView(op);
}

/** Retries a failed operation from its first unfinished step. */
export async function retryOperation(scope: OrgScope, id: string) {
  requireRole(scope.role, "member", "retry cluster operations");
  const { op, attempt } = await mutate(async (tx, after) => {
    const op = await tx.operation.findFirst({ where: inOrg(scope.orgId, id) });
    if (!op) throw new AppError("NOT_FOUND", "Operation not found");
    if (op.status !== "failed") {
      throw new AppError("CONFLICT", `Only a failed operation can be retried (this one is ${op.status})`);
    }
    const newer = await tx.operation.findFirst({
      where: orgWhere(scope.orgId, { clusterId: op.clusterId, createdAt: { gt: op.createdAt } }),
    });
    if (newer) throw new AppError("CONFLICT", "A newer operation replaced this one; retry that one instead");
    const retries = await tx.auditLog.count({
      where: orgWhere(scope.orgId, { action: "operation.retry", targetId: id }),
    });
    await tx.operation.update({
      where: inOrg(scope.orgId, id),
      data: { status: "pending", error: null, attempts: 0, finishedAt: null },
    });
    await tx.operationStep.updateMany({
      where: orgWhere(scope.orgId, { operationId: id, status: { in: ["failed", "running"] as StepStatus[] } }),
      data: { status: "pending", detail: null, finishedAt: null },
    });
    const status = op.type === "create" ? "provisioning" : op.type === "delete" ? "deleting" : "updating";
    await tx.cluster.update({ where: inOrg(scope.orgId, op.clusterId), data: { status, statusMessage: null } });
    await audit(tx, scope.actor, {
      orgId: scope.orgId,
      action: "operation.retry",
      targetType: "operation",
      targetId: id,
    });
    after(() => enqueueOperation(id, retries + 1));
    return { op, attempt: retries + 1 };
  });
  void attempt;
  return getOperation(scope.orgId, op.id);
}
