"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/client";
import { asEffect } from "./kv-editor";
import type { PoolView } from "./types";

/** A pool as `clusters.update` takes it (the full desired set is sent each time). */
export function poolAsInput(p: PoolView, count = p.count) {
  return {
    name: p.name,
    flavor: p.flavor,
    count,
    minCount: Math.min(p.minCount, count),
    maxCount: Math.max(p.maxCount, count),
    labels: p.labels ?? {},
    taints: (p.taints ?? []).map((t) => ({ key: t.key, value: t.value ?? "", effect: asEffect(t.effect) })),
  };
}

/** `clusters.update`, refreshing the cluster (its new operation shows at once) on success. */
export function useUpdateCluster(id: string) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  return useMutation(
    trpc.clusters.update.mutationOptions({
      onSuccess: async (data) => {
        if (data) qc.setQueryData(trpc.clusters.get.queryKey({ id }), data);
        await qc.invalidateQueries({ queryKey: trpc.clusters.get.queryKey({ id }) });
        await qc.invalidateQueries({ queryKey: trpc.operations.list.queryKey() });
      },
    }),
  );
}
