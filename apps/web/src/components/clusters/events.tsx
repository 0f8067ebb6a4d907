"use client";

import { Badge, Banner, Card, EmptyState, Spinner } from "@nuage/ui";
import { useQuery } from "@tanstack/react-query";
import { formatDateTime } from "~/lib/format";
import { useTRPC } from "~/trpc/client";
import { useClusterId } from "./use-cluster";

export function ClusterEvents() {
  const id = useClusterId();
  const trpc = useTRPC();
  const events = useQuery({ ...trpc.clusters.events.queryOptions({ id }), refetchInterval: 15_000 });
  if (events.isPending)
    return (
      <div className="flex items-center gap-3 py-10 text-sm text-slate-500">
        <Spinner /> Loading events…
      </div>
    );
  if (events.error) return <Banner tone="error">{events.error.message}</Banner>;
  const rows = events.data ?? [];
  if (rows.length === 0)
    return (
      <EmptyState
        title="No events"
        description="The platform checks the cluster every few seconds; drift it finds and repairs (a lost node replaced, an orphan removed) is listed here."
      />
    );
  return (
    <Card>
      <ol className="divide-y divide-slate-100" aria-label="Events">
        {rows.map((e) => (
          <li key={e.id} className="flex gap-4 py-3 first:pt-0 last:pb-0" data-testid="cluster-event">
            <div className="w-28 shrink-0">
              <Badge tone={e.level === "warning" ? "amber" : "blue"}>{e.reason}</Badge>
            </div>
            <p className="flex-1 text-sm text-slate-700">{e.message}</p>
            <time className="shrink-0 text-xs text-slate-400" dateTime={new Date(e.createdAt).toISOString()}>
              {formatDateTime(e.createdAt)}
            </time>
          </li>
        ))}
      </ol>
    </Card>
  );
}
