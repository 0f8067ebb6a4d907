"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "~/trpc/client";
import { isBusy } from "./format";

/** The cluster id of the current /clusters/[id]/… page. */
export function useClusterId(): string {
  const params = useParams<{ id: string }>();
  return String(params.id);
}

/** The cluster of the page, read from the cache that the live watch keeps up to date. */
export function useCluster(id: string) {
  const trpc = useTRPC();
  return useQuery({ ...trpc.clusters.get.queryOptions({ id }), retry: false });
}

/**
 * Keeps the cluster (and its current operation's steps) live: `clusters.watch` streams every
 * change over server-sent events into the query cache. If the stream is refused or breaks for
 * good, the page falls back to polling while an operation runs. When an operation ends, the
 * lists that depend on it (operations, events, credentials) are fetched again.
 */
export function useLiveCluster(id: string): { mode: "live" | "polling" } {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [mode, setMode] = useState<"live" | "polling">("live");
  const key = trpc.clusters.get.queryKey({ id });
  const lastOp = useRef<string | null>(null);

  useSubscription(
    trpc.clusters.watch.subscriptionOptions(
      { id },
      {
        enabled: mode === "live",
        onData: (data) => {
          qc.setQueryData(key, data);
        },
        onError: () => setMode("polling"),
      },
    ),
  );

  const cluster = useQuery({
    ...trpc.clusters.get.queryOptions({ id }),
    retry: false,
    refetchInterval: (q) => {
      if (mode !== "polling") return false;
      const c = q.state.data;
      return c && (isBusy(c.status) || c.currentOperation?.status === "running") ? 1500 : false;
    },
  });

  // An operation that changed state (started, finished, failed) changes the history and events.
  const op = cluster.data?.currentOperation;
  const opKey = op ? `${op.id}:${op.status}` : `none:${cluster.data?.status ?? ""}`;
  useEffect(() => {
    if (lastOp.current !== null && lastOp.current !== opKey) {
      void qc.invalidateQueries({ queryKey: trpc.operations.list.queryKey() });
      void qc.invalidateQueries({ queryKey: trpc.clusters.events.queryKey() });
      void qc.invalidateQueries({ queryKey: trpc.clusters.list.queryKey() });
    }
    lastOp.current = opKey;
  }, [opKey, qc, trpc]);

  return { mode };
}
