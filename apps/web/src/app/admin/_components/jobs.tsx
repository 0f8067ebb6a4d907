"use client";

import { Banner, Button, Card, Table } from "@nuage/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { formatDateTime } from "~/lib/format";
import { useTRPC } from "~/trpc/client";
import { PageHeader, QueryState } from "./ui";

export function Jobs() {
  const trpc = useTRPC();
  const queues = useQuery({ ...trpc.admin.ops.queues.queryOptions(), refetchInterval: 5_000 });
  const [queue, setQueue] = useState("clusters");
  return (
    <>
      <PageHeader title="Jobs" description="BullMQ queues: counts by state, failed jobs with their error, retry." />
      <div className="space-y-6">
        <Card title="Queues">
          <QueryState query={queues}>
            {() => (
              <Table
                caption="Queues"
                rows={queues.data ?? []}
                rowKey={(q) => q.name}
                columns={[
                  {
                    key: "name",
                    header: "Queue",
                    cell: (q) => (
                      <button
                        type="button"
                        className={
                          q.name === queue ? "font-semibold text-slate-900" : "text-indigo-600 hover:underline"
                        }
                        aria-pressed={q.name === queue}
                        onClick={() => setQueue(q.name)}
                      >
                        {q.name}
                      </button>
                    ),
                  },
                  { key: "waiting", header: "Waiting", cell: (q) => q.waiting + q.prioritized },
                  { key: "active", header: "Active", cell: (q) => q.active },
                  { key: "delayed", header: "Delayed", cell: (q) => q.delayed },
                  {
                    key: "failed",
                    header: "Failed",
                    cell: (q) => (
                      <span className={q.failed ? "font-semibold text-red-700" : undefined}>{q.failed}</span>
                    ),
                  },
                  { key: "completed", header: "Completed (kept)", cell: (q) => q.completed },
                ]}
              />
            )}
          </QueryState>
        </Card>
        <FailedJobs queue={queue} />
      </div>
    </>
  );
}

function FailedJobs({ queue }: { queue: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const failed = useQuery({ ...trpc.admin.ops.failedJobs.queryOptions({ queue }), refetchInterval: 5_000 });
  const retry = useMutation(
    trpc.admin.ops.retryJob.mutationOptions({
      onSuccess: () => {
        void qc.invalidateQueries({ queryKey: trpc.admin.ops.failedJobs.queryKey({ queue }) });
        void qc.invalidateQueries({ queryKey: trpc.admin.ops.queues.queryKey() });
      },
    }),
  );
  return (
    <Card
      title={`Failed jobs in ${queue}`}
      description="Newest first. A retry runs the job again with its payload (ids only)."
    >
      {retry.error ? (
        <div className="mb-3">
          <Banner tone="error">{retry.error.message}</Banner>
        </div>
      ) : null}
      {retry.data ? (
        <div className="mb-3">
          <Banner tone="success">
            Job {retry.data.id} is {retry.data.state} again.
          </Banner>
        </div>
      ) : null}
      <QueryState query={failed}>
        {() => (
          <Table
            caption="Failed jobs"
            rows={failed.data ?? []}
            rowKey={(j) => j.id}
            empty="No failed jobs in this queue."
            columns={[
              {
                key: "name",
                header: "Job",
                cell: (j) => (
                  <span className="font-mono text-xs" data-testid="failed-job" data-job={j.id}>
                    {j.name} {j.id}
                  </span>
                ),
              },
              { key: "data", header: "Payload", cell: (j) => <code className="text-xs">{j.data}</code> },
              {
                key: "error",
                header: "Error",
                cell: (j) => <span className="whitespace-normal text-red-700">{j.failedReason}</span>,
              },
              { key: "attempts", header: "Attempts", cell: (j) => j.attemptsMade },
              { key: "when", header: "Failed", cell: (j) => formatDateTime(j.finishedAt) },
              {
                key: "retry",
                header: "",
                cell: (j) => (
                  <Button
                    size="sm"
                    variant="secondary"
                    aria-label={`Retry job ${j.id}`}
                    pending={retry.isPending && retry.variables?.id === j.id}
                    onClick={() => retry.mutate({ queue, id: j.id })}
                  >
                    Retry
                  </Button>
                ),
              },
            ]}
          />
        )}
      </QueryState>
    </Card>
  );
}
