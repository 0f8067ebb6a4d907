"use client";

import { Card } from "@nuage/ui";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTRPC } from "~/trpc/client";
import { poolTotals } from "./draft";
import { formatCents, formatMemory, HOURS_PER_MONTH } from "./format";
import type { TaintEffect } from "./kv-editor";
import type { FlavorView } from "./types";

interface PoolInput {
  name: string;
  flavor: string;
  count: number;
  minCount: number;
  maxCount: number;
  labels: Record<string, string>;
  taints: Array<{ key: string; value: string; effect: TaintEffect }>;
}

/** Waits until the user pauses typing before asking the server again. */
function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/**
 * The price while the user edits: the flavor prices times the node counts right away, then the
 * server's estimate (`clusters.estimate`, which also counts the control plane) once it answers.
 */
export function Estimate({
  pools,
  flavors,
  input,
}: {
  pools: PoolInput[];
  flavors: FlavorView[];
  input: { haControlPlane: boolean };
}) {
  const trpc = useTRPC();
  const valid = pools.length > 0 && pools.every((p) => p.count >= 0 && p.flavor);
  const request = useDebounced({ haControlPlane: input.haControlPlane, nodePools: pools }, 250);
  const server = useQuery({
    ...trpc.clusters.estimate.queryOptions(request),
    enabled: valid,
    placeholderData: keepPreviousData,
    retry: false,
  });
  const local = pools.reduce((sum, p) => {
    const f = flavors.find((x) => x.name === p.flavor);
    return sum + (f ? f.priceCentsHourly * p.count : 0);
  }, 0);
  const fresh =
    server.data &&
    !server.isPlaceholderData &&
    JSON.stringify(request) === JSON.stringify({ haControlPlane: input.haControlPlane, nodePools: pools });
  const hourly = fresh && server.data ? server.data.hourlyCents : local;
  const monthly = fresh && server.data ? server.data.monthlyCents : local * HOURS_PER_MONTH;
  const totals = poolTotals(pools, flavors);
  return (
    <Card title="Estimated price">
      <div aria-live="polite" data-testid="estimate">
        <p className="text-3xl font-semibold tracking-tight text-slate-900" data-testid="estimate-hourly">
          {formatCents(hourly)}
          <span className="text-base font-normal text-slate-500"> / hour</span>
        </p>
        <p className="mt-1 text-sm text-slate-600" data-testid="estimate-monthly">
          about {formatCents(monthly)} / month
        </p>
      </div>
      <dl className="mt-4 grid grid-cols-3 gap-2 border-t border-slate-100 pt-4 text-center text-xs text-slate-500">
        <div>
          <dt>Nodes</dt>
          <dd className="text-sm font-semibold text-slate-900">{totals.nodes}</dd>
        </div>
        <div>
          <dt>vCPU</dt>
          <dd className="text-sm font-semibold text-slate-900">{totals.vcpu}</dd>
        </div>
        <div>
          <dt>Memory</dt>
          <dd className="text-sm font-semibold text-slate-900">{formatMemory(totals.memoryMib)}</dd>
        </div>
      </dl>
      {server.error && valid ? (
        <p role="alert" className="mt-3 text-xs text-amber-700">
          {server.error.message}
        </p>
      ) : (
        <p className="mt-3 text-xs text-slate-500">Billed per hour of use; {HOURS_PER_MONTH} hours make a month.</p>
      )}
    </Card>
  );
}
