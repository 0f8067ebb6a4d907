"use client";

import { Badge, type BadgeTone, Banner, Spinner } from "@nuage/ui";
import type { ReactNode } from "react";
import type { Outputs } from "~/lib/api-types";

export type AdminOutputs = Outputs["admin"];

export function PageHeader({
  title,
  description,
  actions,
}: {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
        {description ? <p className="mt-1 text-sm text-slate-500">{description}</p> : null}
      </div>
      {actions ? <div className="flex items-center gap-2">{actions}</div> : null}
    </div>
  );
}

/** Loading / error / content for one query. */
export function QueryState({
  query,
  children,
}: {
  query: { isPending: boolean; error: { message: string } | null };
  children: () => ReactNode;
}) {
  if (query.error) return <Banner tone="error">{query.error.message}</Banner>;
  if (query.isPending)
    return (
      <div className="flex justify-center py-12" aria-busy="true">
        <Spinner />
      </div>
    );
  return <>{children()}</>;
}

export function Stat({
  label,
  value,
  hint,
  testId,
}: {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  testId?: string;
}) {
  return (
    <div className="rounded-lg bg-white px-5 py-4 shadow-sm ring-1 ring-slate-200" data-testid={testId}>
      <p className="text-xs font-semibold tracking-wide text-slate-500 uppercase">{label}</p>
      <p className="mt-1 text-2xl font-semibold text-slate-900">{value}</p>
      {hint ? <p className="mt-1 text-xs text-slate-500">{hint}</p> : null}
    </div>
  );
}

/** A horizontal bar of used against capacity. */
export function Meter({ used, total, label }: { used: number; total: number; label: string }) {
  const pct = total > 0 ? Math.min(100, Math.round((used / total) * 100)) : 0;
  return (
    <div className="min-w-32">
      <div className="h-2 w-full overflow-hidden rounded bg-slate-100" aria-hidden="true">
        <div
          className={pct > 85 ? "h-2 bg-red-500" : pct > 60 ? "h-2 bg-amber-500" : "h-2 bg-indigo-500"}
          style={{ width: `${pct}%` }}
        />
      </div>
      <p className="mt-1 text-xs text-slate-500" title={label}>
        <span className="sr-only">{label}: </span>
        {used.toLocaleString("en")} / {total.toLocaleString("en")} ({pct} %)
      </p>
    </div>
  );
}

/** A small column chart (inline SVG: no chart library is needed for one series). */
export function Columns({
  data,
  unit,
  label,
}: {
  data: { label: string; value: number }[];
  unit: string;
  label: string;
}) {
  if (data.length === 0) return null;
  const max = Math.max(...data.map((d) => d.value), 1);
  const w = 100 / data.length;
  return (
    <figure>
      <svg viewBox="0 0 100 40" className="h-40 w-full" role="img" aria-label={label} preserveAspectRatio="none">
        {data.map((d, i) => {
          const h = (d.value / max) * 38;
          return (
            <rect key={d.label} x={i * w + w * 0.15} y={40 - h} width={w * 0.7} height={h} className="fill-indigo-500">
              <title>{`${d.label}: ${d.value.toLocaleString("en")} ${unit}`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption className="mt-1 flex justify-between text-xs text-slate-500">
        <span>{data[0]?.label}</span>
        <span>
          max {max.toLocaleString("en")} {unit}
        </span>
        <span>{data.at(-1)?.label}</span>
      </figcaption>
    </figure>
  );
}

export function money(minor: number, currency: string): string {
  return new Intl.NumberFormat("en", { style: "currency", currency }).format(minor / 100);
}

const TENANT_TONES: Record<string, BadgeTone> = {
  active: "green",
  trial: "blue",
  suspended: "red",
  deleting: "amber",
  deleted: "gray",
};

export function TenantStatusBadge({ status }: { status: string }) {
  return (
    <span data-testid="tenant-status" data-status={status}>
      <Badge tone={TENANT_TONES[status] ?? "gray"}>{status}</Badge>
    </span>
  );
}

export function HostStateBadge({ state }: { state: string }) {
  const tone: BadgeTone = state === "up" ? "green" : state === "down" ? "red" : "amber";
  return (
    <span data-testid="host-state" data-state={state}>
      <Badge tone={tone}>{state}</Badge>
    </span>
  );
}
