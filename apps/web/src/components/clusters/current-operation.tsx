"use client";

import { Banner, Button, Card, cn } from "@nuage/ui";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { canWrite } from "~/lib/roles";
import { useTRPC } from "~/trpc/client";
import { useMe } from "../portal/me-context";
import { OPERATION_TYPE } from "./format";
import { CleanupReport, OperationBadge, StepList } from "./operation-steps";
import type { ClusterView, NodeView, OperationView } from "./types";

const NODE_DOT: Record<string, string> = {
  creating: "bg-sky-400 animate-pulse",
  ready: "bg-emerald-500",
  draining: "bg-amber-400 animate-pulse",
  deleting: "bg-amber-500 animate-pulse",
  deleted: "bg-slate-300",
};

/** The machines of the cluster, one chip each, so nodes are seen joining one by one. */
export function NodeChips({ nodes }: { nodes: NodeView[] }) {
  if (nodes.length === 0) return null;
  return (
    <ul className="mt-3 flex flex-wrap gap-2" aria-label="Nodes">
      {nodes.map((n) => (
        <li
          key={n.id}
          data-testid="node-chip"
          data-status={n.status}
          className="inline-flex items-center gap-1.5 rounded-full bg-slate-50 px-2.5 py-1 text-xs text-slate-700 ring-1 ring-slate-200"
        >
          <span className={cn("h-2 w-2 rounded-full", NODE_DOT[n.status] ?? "bg-slate-300")} aria-hidden="true" />
          <span className="font-mono">{n.name}</span>
          <span className="text-slate-400">{n.status}</span>
        </li>
      ))}
    </ul>
  );
}

/**
 * The operation in progress (or the last one, when it failed): its live steps, the nodes, and
 * for a failure the reason in words with Retry.
 */
export function CurrentOperation({ cluster, op }: { cluster: ClusterView; op: OperationView }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const me = useMe();
  const retry = useMutation(
    trpc.operations.retry.mutationOptions({
      onSuccess: () => qc.invalidateQueries({ queryKey: trpc.clusters.get.queryKey({ id: cluster.id }) }),
    }),
  );
  const failed = op.status === "failed";
  return (
    <Card
      title={
        <span className="flex items-center gap-2">
          {OPERATION_TYPE[op.type] ?? op.type} <OperationBadge status={op.status} />
        </span>
      }
      description={
        failed
          ? "This change stopped. Fix the cause if it is yours, then retry: finished steps are not repeated."
          : op.status === "succeeded"
            ? "Finished."
            : "Steps update live as the platform works."
      }
    >
      <div data-testid="current-operation" data-status={op.status}>
        {failed ? (
          <div className="mb-4">
            <Banner
              tone="error"
              title="Why it failed"
              actions={
                canWrite(me.currentOrg?.role) ? (
                  <Button
                    size="sm"
                    variant="secondary"
                    pending={retry.isPending}
                    onClick={() => retry.mutate({ id: op.id })}
                  >
                    Retry
                  </Button>
                ) : null
              }
            >
              {op.error ?? cluster.statusMessage ?? "The platform gave no reason."}
            </Banner>
            {retry.error ? <p className="mt-2 text-sm text-red-600">{retry.error.message}</p> : null}
          </div>
        ) : null}
        <StepList steps={op.steps ?? []} />
        {op.type !== "delete" ? <NodeChips nodes={cluster.nodes} /> : null}
        <CleanupReport report={op.report} />
      </div>
    </Card>
  );
}
