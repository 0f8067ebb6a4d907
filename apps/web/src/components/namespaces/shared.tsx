"use client";

import { Badge } from "@nuage/ui";
import type { Outputs } from "~/lib/api-types";

export type NamespaceRow = Outputs["namespaces"]["list"][number];
export type NamespaceDetailView = Outputs["namespaces"]["get"];
export type ItemRow = Outputs["secrets"]["list"][number];
export type GrantRow = Outputs["namespaceAccess"]["list"][number];
export type TemplateRow = Outputs["namespaces"]["templates"][number];
export type UsageView = Outputs["namespaces"]["usage"];

export const QUOTA_FIELDS = [
  { key: "requests.cpu", label: "CPU requests", hint: "e.g. 500m, 2" },
  { key: "limits.cpu", label: "CPU limits", hint: "e.g. 1, 4" },
  { key: "requests.memory", label: "Memory requests", hint: "e.g. 512Mi, 2Gi" },
  { key: "limits.memory", label: "Memory limits", hint: "e.g. 1Gi, 8Gi" },
  { key: "requests.storage", label: "Storage requests", hint: "e.g. 50Gi" },
  { key: "persistentvolumeclaims", label: "Volume claims", hint: "a count" },
  { key: "pods", label: "Pods", hint: "a count" },
  { key: "services", label: "Services", hint: "a count" },
  { key: "services.loadbalancers", label: "Load balancers", hint: "a count" },
  { key: "services.nodeports", label: "Node ports", hint: "a count" },
] as const;
export type QuotaKey = (typeof QUOTA_FIELDS)[number]["key"];

export const quotaLabel = (key: string) => QUOTA_FIELDS.find((f) => f.key === key)?.label ?? key;

const SYNC_TONE = { pending: "amber", syncing: "blue", synced: "green", error: "red" } as const;
const SYNC_LABEL = { pending: "Queued", syncing: "Syncing", synced: "Synced", error: "Error" } as const;

/** Sync state of one object: queued, syncing, synced or error (with the reason as a tooltip and text). */
export function SyncBadge({
  status,
  message,
  deleting,
}: {
  status: keyof typeof SYNC_TONE;
  message?: string | null;
  deleting?: boolean;
}) {
  return (
    <span
      className="inline-flex flex-col gap-0.5"
      data-testid="sync-status"
      data-status={deleting ? "deleting" : status}
    >
      <span title={message ?? undefined}>
        <Badge tone={deleting ? "gray" : SYNC_TONE[status]}>{deleting ? "Deleting" : SYNC_LABEL[status]}</Badge>
      </span>
      {message ? <span className="max-w-xs text-xs text-slate-500">{message}</span> : null}
    </span>
  );
}

/** A usage bar: used / hard, turning amber above 80 % and red at the limit. */
export function UsageBar({
  label,
  used,
  hard,
  usedUnits,
  hardUnits,
  resource,
}: {
  label: string;
  used: string | null;
  hard: string;
  usedUnits: number | null;
  hardUnits: number;
  resource: string;
}) {
  const pct = usedUnits === null || hardUnits <= 0 ? 0 : Math.min(100, Math.round((usedUnits / hardUnits) * 100));
  const tone = pct >= 100 ? "bg-red-500" : pct >= 80 ? "bg-amber-500" : "bg-indigo-500";
  return (
    <div data-testid={`usage-${resource}`} data-used={usedUnits ?? ""} data-hard={hardUnits}>
      <div className="flex items-baseline justify-between text-sm">
        <span className="font-medium text-slate-700">{label}</span>
        <span className="font-mono text-xs text-slate-500">
          {used ?? "—"} / {hard}
        </span>
      </div>
      <meter
        className="sr-only"
        aria-label={`${label} used`}
        min={0}
        max={Math.max(hardUnits, 1)}
        value={usedUnits ?? 0}
      />
      <div className="mt-1 h-2 overflow-hidden rounded-full bg-slate-100" aria-hidden="true">
        <div className={`h-full rounded-full ${tone} transition-all`} style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

/** Key/value rows editor (labels, ConfigMap data, generic secret data), keyboard-usable. */
export function KeyValueRows({
  name,
  rows,
  onChange,
  valueLabel = "value",
  secret = false,
  multiline = false,
}: {
  name: string;
  rows: { key: string; value: string }[];
  onChange: (rows: { key: string; value: string }[]) => void;
  valueLabel?: string;
  secret?: boolean;
  multiline?: boolean;
}) {
  const set = (i: number, patch: Partial<{ key: string; value: string }>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const input =
    "block w-full rounded-md border-0 px-3 py-2 text-sm text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600 focus:outline-none";
  return (
    <div className="space-y-2">
      {rows.map((r, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their position
        <div key={i} className="flex items-start gap-2">
          <input
            aria-label={`${name} ${i + 1} key`}
            className={`${input} w-1/3 font-mono`}
            value={r.key}
            placeholder="key"
            onChange={(e) => set(i, { key: e.target.value })}
          />
          {multiline ? (
            <textarea
              aria-label={`${name} ${i + 1} ${valueLabel}`}
              className={`${input} font-mono`}
              rows={2}
              value={r.value}
              placeholder={valueLabel}
              onChange={(e) => set(i, { value: e.target.value })}
            />
          ) : (
            <input
              aria-label={`${name} ${i + 1} ${valueLabel}`}
              className={`${input} font-mono`}
              type={secret ? "password" : "text"}
              autoComplete="off"
              value={r.value}
              placeholder={valueLabel}
              onChange={(e) => set(i, { value: e.target.value })}
            />
          )}
          <button
            type="button"
            className="h-9 shrink-0 rounded-md px-2 text-sm text-slate-500 hover:bg-slate-100 hover:text-red-600"
            aria-label={`Remove ${name} ${i + 1}`}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            ✕
          </button>
        </div>
      ))}
      <button
        type="button"
        className="text-sm font-medium text-indigo-600 hover:text-indigo-500"
        onClick={() => onChange([...rows, { key: "", value: "" }])}
      >
        + Add {name.toLowerCase()}
      </button>
    </div>
  );
}

export const toRecord = (rows: { key: string; value: string }[]) =>
  Object.fromEntries(rows.filter((r) => r.key.trim()).map((r) => [r.key.trim(), r.value]));
export const toRows = (rec: Record<string, string> | null | undefined) =>
  Object.entries(rec ?? {}).map(([key, value]) => ({ key, value }));

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}
