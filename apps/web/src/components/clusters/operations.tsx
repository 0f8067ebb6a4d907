"use client";

import { Banner, Card, EmptyState, Spinner } from "@nuage/ui";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/client";
import { CleanupReport, OperationTitle, StepList } from "./operation-steps";
import type { OperationView } from "./types";
import { useClusterId } from "./use-cluster";

export function ClusterOperations() {
  const id = useClusterId();
  const trpc = useTRPC();
  const ops = useQuery(trpc.operations.list.queryOptions({ clusterId: id }));
  if (ops.isPending)
    return (
      <div className="flex items-center gap-3 py-10 text-sm text-slate-500">
        <Spinner /> Loading operations…
      </div>
    );
  if (ops.error) return <Banner tone="error">{ops.error.message}</Banner>;
  const rows = (ops.data ?? []) as OperationView[];
  if (rows.length === 0)
    return (
      <EmptyState title="No operations yet" description="Every change of the cluster appears here with its steps." />
    );
  return (
    <div className="space-y-4">
      {rows.map((op) => (
        <Card key={op.id}>
          <details open={op.status !== "succeeded"} data-testid="operation" data-type={op.type} data-status={op.status}>
            <summary className="cursor-pointer list-none">
              <div className="flex items-center justify-between gap-3">
                <OperationTitle op={op} />
                <span className="text-xs text-indigo-600">{(op.steps ?? []).length} steps</span>
              </div>
              {op.error ? <p className="mt-1 text-sm text-red-700">{op.error}</p> : null}
            </summary>
            <div className="mt-4">
              <StepList steps={op.steps ?? []} />
              <CleanupReport report={op.report} />
            </div>
          </details>
        </Card>
      ))}
    </div>
  );
}
