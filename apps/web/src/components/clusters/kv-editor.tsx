"use client";

import { Button } from "@nuage/ui";
import { useId } from "react";

export interface KvRow {
  key: string;
  value: string;
  effect?: string;
}

export const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;
export type TaintEffect = (typeof TAINT_EFFECTS)[number];

/** A taint effect the API accepts; anything else becomes NoSchedule. */
export function asEffect(v: string | undefined): TaintEffect {
  return (TAINT_EFFECTS as readonly string[]).includes(v ?? "") ? (v as TaintEffect) : "NoSchedule";
}

/**
 * Rows of key=value (labels) or key=value:Effect (taints). Each row is a pair of plain inputs
 * with a remove button, so it works with Tab and Enter alone.
 */
export function KvEditor({
  label,
  rows,
  onChange,
  withEffect = false,
  error,
  disabled,
}: {
  label: string;
  rows: KvRow[];
  onChange: (rows: KvRow[]) => void;
  withEffect?: boolean;
  error?: string | undefined;
  disabled?: boolean;
}) {
  const id = useId();
  const set = (i: number, patch: Partial<KvRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const input =
    "block w-full rounded-md border-0 bg-white px-2.5 py-1.5 text-sm text-slate-900 ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600 focus:outline-none";
  return (
    <fieldset className="space-y-2" aria-describedby={error ? `${id}-error` : undefined}>
      <legend className="text-sm font-medium text-slate-700">{label}</legend>
      {rows.length === 0 ? <p className="text-xs text-slate-500">None.</p> : null}
      {rows.map((r, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their position while typed
        <div key={i} className="flex items-center gap-2">
          <input
            aria-label={`${label} ${i + 1} key`}
            placeholder="key"
            value={r.key}
            disabled={disabled}
            onChange={(e) => set(i, { key: e.target.value })}
            className={input}
          />
          <span className="text-slate-400">=</span>
          <input
            aria-label={`${label} ${i + 1} value`}
            placeholder="value"
            value={r.value}
            disabled={disabled}
            onChange={(e) => set(i, { value: e.target.value })}
            className={input}
          />
          {withEffect ? (
            <select
              aria-label={`${label} ${i + 1} effect`}
              value={r.effect ?? "NoSchedule"}
              disabled={disabled}
              onChange={(e) => set(i, { effect: e.target.value })}
              className={input}
            >
              {TAINT_EFFECTS.map((eff) => (
                <option key={eff} value={eff}>
                  {eff}
                </option>
              ))}
            </select>
          ) : null}
          <Button
            variant="ghost"
            size="sm"
            aria-label={`Remove ${label.toLowerCase()} ${i + 1}`}
            disabled={disabled}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            ✕
          </Button>
        </div>
      ))}
      <Button
        variant="ghost"
        size="sm"
        disabled={disabled}
        onClick={() =>
          onChange([...rows, withEffect ? { key: "", value: "", effect: "NoSchedule" } : { key: "", value: "" }])
        }
      >
        + Add {withEffect ? "taint" : "label"}
      </Button>
      {error ? (
        <p id={`${id}-error`} role="alert" className="text-xs font-medium text-red-600">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

/** Labels as the API takes them: a map; empty rows are dropped. */
export function rowsToLabels(rows: KvRow[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rows) if (r.key.trim()) out[r.key.trim()] = r.value.trim();
  return out;
}

/** Taints as the API takes them: `{ key, value, effect }`; empty rows are dropped. */
export function rowsToTaints(rows: KvRow[]): Array<{ key: string; value: string; effect: TaintEffect }> {
  return rows
    .filter((r) => r.key.trim())
    .map((r) => ({ key: r.key.trim(), value: r.value.trim(), effect: asEffect(r.effect) }));
}

/** A label key or value Kubernetes accepts (the simple, unprefixed form plus an optional prefix/). */
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

export function kvError(rows: KvRow[], what: "label" | "taint"): string | undefined {
  const seen = new Set<string>();
  for (const r of rows) {
    const k = r.key.trim();
    if (!k && !r.value.trim()) continue;
    if (!k) return `Each ${what} needs a key.`;
    if (!LABEL_KEY.test(k) || k.length > 253) return `"${k}" is not a valid ${what} key.`;
    if (!LABEL_VALUE.test(r.value.trim()) || r.value.length > 63)
      return `The value of "${k}" is not a valid ${what} value.`;
    const id = what === "taint" ? `${k}:${r.effect}` : k;
    if (seen.has(id)) return `"${k}" is given twice.`;
    seen.add(id);
  }
  return undefined;
}
