// Runs one operation: its steps in order, each recorded (running → succeeded) so a worker killed
// at any line and started again resumes at the first unfinished step.
import { STEP_PLANS } from "@nuage/core";
import { getDb, inOrg, orgWhere } from "@nuage/db";
import { getProvider, ProviderError } from "@nuage/providers";
import { type StepContext, StepError } from "./context.ts";
import { STEPS } from "./steps.ts";

/** Fault injection for the crash-safety test: SIGKILL right after recording this step as done. */
function maybeKill(step: string): void {
  const at = process.env.NUAGE_FAULT_KILL_AFTER_STEP;
  if (at && at === step) {
    console.warn(`[worker] fault injection: killing myself after step ${step}`);
    process.kill(process.pid, "SIGKILL");
  }
}

/** A message for the tenant: provider and step errors are written for people; others are not shown. */
export function describeError(e: unknown): string {
  if (e instanceof ProviderError || e instanceof StepError) return e.message.slice(0, 500);
  const code = (e as { code?: number }).code;
  if (typeof code === "number") return `The cluster's API answered HTTP ${code}`;
  return "Unexpected error in the platform (see the worker log)";
}

export interface RunResult {
  status: "succeeded" | "skipped" | "cancelled";
}

export async function runOperation(operationId: string): Promise<RunResult> {
  const db = getDb();
  const found = await db.operation.findUnique({ where: { id: operationId } });
  if (!found || found.status === "succeeded") return { status: "skipped" };
  if (found.status === "failed") return { status: "cancelled" };
  const orgId = found.orgId;
  const op = await db.operation.update({
    where: inOrg(orgId, operationId),
    data: { status: "running", attempts: { increment: 1 }, startedAt: found.startedAt ?? new Date() },
  });
  const cluster = await db.cluster.findFirst({ where: inOrg(orgId, op.clusterId) });
  if (!cluster) throw new StepError("Cluster not found");
  const fns = STEPS[op.type] ?? {};
  const ctx: StepContext = { op, cluster, orgId, provider: getProvider(), detail: async () => {} };
  // All steps in one read: only this run changes them while it holds the job.
  const steps = new Map(
    (await db.operationStep.findMany({ where: orgWhere(orgId, { operationId }) })).map((s) => [s.name, s]),
  );
  for (const name of STEP_PLANS[op.type]) {
    const step = steps.get(name);
    if (!step || step.status === "succeeded") continue;
    // Marked running only while the operation still is (a delete cancels it): one statement.
    const marked = await db.operationStep.updateMany({
      where: orgWhere(orgId, { id: step.id, operation: { is: { status: "running" as const } } }),
      data: { status: "running", startedAt: step.startedAt ?? new Date(), finishedAt: null },
    });
    if (marked.count === 0) return { status: "cancelled" };
    ctx.detail = async (text) => {
      await db.operationStep.update({ where: { id: step.id }, data: { detail: text } });
    };
    const fn = fns[name];
    if (!fn) throw new StepError(`No handler for step ${name}`);
    const detail = await fn(ctx);
    await db.operationStep.update({
      where: { id: step.id },
      data: { status: "succeeded", finishedAt: new Date(), detail: detail ?? step.detail },
    });
    maybeKill(name);
  }
  await db.operation.update({
    where: inOrg(orgId, operationId),
    data: { status: "succeeded", finishedAt: new Date(), error: null },
  });
  return { status: "succeeded" };
}

/** Records a failure: on the last attempt the operation fails and the cluster shows `error`. */
export async function recordFailure(operationId: string, e: unknown, final: boolean): Promise<void> {
  const db = getDb();
  const op = await db.operation.findUnique({ where: { id: operationId } });
  if (op?.status !== "running") return;
  const message = describeError(e);
  const step = await db.operationStep.findFirst({
    where: orgWhere(op.orgId, { operationId, status: "running" as const }),
    orderBy: { position: "asc" },
  });
  if (!final) {
    if (step) {
      await db.operationStep.update({
        where: { id: step.id },
        data: { detail: `Attempt ${op.attempts} failed: ${message}; retrying` },
      });
    }
    return;
  }
  const now = new Date();
  await db.$transaction([
    ...(step
      ? [
          db.operationStep.update({
            where: { id: step.id },
            data: { status: "failed", finishedAt: now, detail: message },
          }),
        ]
      : []),
    db.operation.update({
      where: inOrg(op.orgId, operationId),
      data: { status: "failed", error: message, finishedAt: now },
    }),
    db.cluster.update({
      where: inOrg(op.orgId, op.clusterId),
      data: { status: "error", statusMessage: `${op.type} failed: ${message}` },
    }),
  ]);
}
