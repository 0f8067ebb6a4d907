"use client";

import { Card } from "@nuage/ui";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTRPC } from "~/trpc/client";
import { poolTotals } from "./draft";
import { formatMemory, formatMicro, formatMinor, HOURS_PER_MONTH } from "./format";
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

/** Hourly price of the nodes alone from the flavors' price-book prices (shown until the server answers). */
function nodesHourlyMicro(pools: Array<{ flavor: string; count: number }>, flavors: FlavorView[]): number {
  return pools.reduce((sum, p) => {
    const f = flavors.find((x) => x.name === p.flavor);
    return sum + (f ? (f.priceMicroHourly ?? f.priceCentsHourly * 1_000_000) * p.count : 0);
  }, 0);
}

const quantity = (n: number) => (Number.isInteger(n) ? n.toLocaleString("en") : n.toFixed(2));

/**
 * The price while the user edits: the flavors' prices times the node counts right away, then the
 * server's estimate (`clusters.estimate`: the org's plan in the current price book, with the control
 * plane, the HA surcharge and the plan's included amounts) once it answers.
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
  const fresh =
    server.data &&
    !server.isPlaceholderData &&
    JSON.stringify(request) === JSON.stringify({ haControlPlane: input.haControlPlane, nodePools: pools });
  const e = fresh ? server.data : undefined;
  const currency = e?.currency ?? flavors[0]?.currency ?? "EUR";
  const hourly = e ? e.hourlyMicro : nodesHourlyMicro(pools, flavors);
  const totals = poolTotals(pools, flavors);
  return (
    <Card title="Estimated price">
      <div aria-live="polite" data-testid="estimate">
        <p className="text-3xl font-semibold tracking-tight text-slate-900" data-testid="estimate-hourly">
          {formatMicro(hourly, currency)}
          <span className="text-base font-normal text-slate-500"> / hour</span>
        </p>
        <p className="mt-1 text-sm text-slate-600" data-testid="estimate-monthly">
          {e ? (
            <>
              about {formatMinor(e.monthlyCents, currency)} / month
              {e.includedCents > 0 ? ` after ${formatMinor(e.includedCents, currency)} included in your plan` : ""}
            </>
          ) : (
            "… / month"
          )}
        </p>
      </div>
      {e ? (
        <table className="mt-4 w-full text-xs text-slate-600" data-testid="estimate-lines">
          <tbody>
            {e.lines.map((l) => (
              <tr key={l.item} className="border-t border-slate-100 align-top">
                <td className="py-1.5 pr-2">
                  <span className="font-medium text-slate-800">{l.label}</span>
                  <br />
                  {quantity(l.quantity)} × {formatMicro(l.unitPriceMicro, currency)} / {l.unit}
                  {l.includedQuantity > 0 ? (
                    <>
                      <br />
                      <span className="text-emerald-700">
                        first {quantity(l.includedQuantity)} {l.unit}s a month included
                      </span>
                    </>
                  ) : null}
                </td>
                <td className="py-1.5 text-right tabular-nums">{formatMinor(l.monthlyCents, currency)} / mo</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
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
        <div className="mt-3 space-y-1 text-xs text-slate-500">
          {e ? (
            <p data-testid="estimate-pricebook">
              {e.planLabel} plan, price book version {e.priceVersion}. Included amounts are per organization and month,
              shared by all its clusters.
            </p>
          ) : null}
          {e?.onUse.length ? (
            <p>
              Also billed when used:{" "}
              {e.onUse
                .map(
                  (u) =>
                    `${u.label.toLowerCase()} ${formatMicro(u.unitPriceMicro, currency)} / ${u.unit}${u.includedQuantity ? ` (${quantity(u.includedQuantity)} included)` : ""}`,
                )
                .join("; ")}
              .
            </p>
          ) : null}
          <p>Billed per second of use; {HOURS_PER_MONTH} hours make a month.</p>
        </div>
      )}
    </Card>
  );
}

/**
 * Under a pool's resize field: the cluster's estimate with the new node count next to the current one
 * (same procedure, same price book), once the count differs.
 */
export function ResizeEstimate({
  cluster,
  poolId,
  count,
}: {
  cluster: { haControlPlane: boolean; nodePools: Array<{ id: string; name: string; flavor: string; count: number }> };
  poolId: string;
  count: number | null;
}) {
  const trpc = useTRPC();
  const pools = (n: (p: { id: string; count: number }) => number) =>
    cluster.nodePools.map((p) => ({ name: p.name, flavor: p.flavor, count: n(p) }));
  const debounced = useDebounced(count, 250);
  const changed = debounced !== null && cluster.nodePools.some((p) => p.id === poolId && p.count !== debounced);
  const now = useQuery({
    ...trpc.clusters.estimate.queryOptions({
      haControlPlane: cluster.haControlPlane,
      nodePools: pools((p) => p.count),
    }),
    enabled: changed,
    retry: false,
  });
  const next = useQuery({
    ...trpc.clusters.estimate.queryOptions({
      haControlPlane: cluster.haControlPlane,
      nodePools: pools((p) => (p.id === poolId ? (debounced ?? p.count) : p.count)),
    }),
    enabled: changed,
    placeholderData: keepPreviousData,
    retry: false,
  });
  if (!changed || !now.data || !next.data) return null;
  const c = next.data.currency;
  return (
    <p className="mt-1 text-xs text-slate-600" data-testid="resize-estimate">
      New estimate {formatMicro(next.data.hourlyMicro, c)} / hour (about {formatMinor(next.data.monthlyCents, c)} /
      month), now {formatMicro(now.data.hourlyMicro, c)} / hour · {next.data.planLabel} plan, price book v
      {next.data.priceVersion}
    </p>
  );
}
