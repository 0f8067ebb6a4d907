"use client";

import { Button, Input, Select } from "@nuage/ui";
import { formatMemory, formatMicro } from "./format";
import { KvEditor, type KvRow } from "./kv-editor";
import type { FlavorView } from "./types";

export interface PoolDraft {
  key: string;
  name: string;
  flavor: string;
  count: string;
  minCount: string;
  maxCount: string;
  labels: KvRow[];
  taints: KvRow[];
}

export type PoolErrors = Partial<
  Record<"name" | "flavor" | "count" | "minCount" | "maxCount" | "labels" | "taints", string>
>;

export function flavorLabel(f: FlavorView): string {
  return `${f.name} — ${f.vcpus} vCPU, ${formatMemory(f.memoryMiB)}, ${formatMicro(f.priceMicroHourly ?? f.priceCentsHourly * 1_000_000, f.currency)}/h`;
}

/** One node pool of the create form (or of "Add node pool"): name, flavor, sizes, labels, taints. */
export function PoolRow({
  index,
  pool,
  flavors,
  errors,
  onChange,
  onRemove,
  disabled,
  compact = false,
}: {
  index: number;
  pool: PoolDraft;
  flavors: FlavorView[];
  errors: PoolErrors;
  onChange: (patch: Partial<PoolDraft>) => void;
  onRemove?: (() => void) | undefined;
  disabled?: boolean;
  /** One column (inside a dialog). */
  compact?: boolean;
}) {
  const two = compact ? "grid gap-4" : "grid gap-4 md:grid-cols-2";
  const n = index + 1;
  return (
    <fieldset
      className="space-y-4 rounded-lg p-4 ring-1 ring-slate-200"
      data-testid={`pool-${index}`}
      aria-label={`Node pool ${n}`}
    >
      <div className="flex items-center justify-between">
        <legend className="text-sm font-semibold text-slate-900">Node pool {n}</legend>
        {onRemove ? (
          <Button variant="ghost-danger" size="sm" onClick={onRemove} disabled={disabled}>
            Remove pool {n}
          </Button>
        ) : null}
      </div>
      <div className={two}>
        <Input
          label={`Pool ${n} name`}
          value={pool.name}
          disabled={disabled}
          onChange={(e) => onChange({ name: e.target.value })}
          error={errors.name}
          placeholder="default"
          autoComplete="off"
        />
        <Select
          label={`Pool ${n} flavor`}
          value={pool.flavor}
          disabled={disabled}
          onChange={(e) => onChange({ flavor: e.target.value })}
          error={errors.flavor}
          options={flavors.map((f) => ({ value: f.name, label: flavorLabel(f) }))}
        />
      </div>
      <div className="grid gap-4 sm:grid-cols-3">
        <Input
          label={`Pool ${n} nodes`}
          type="number"
          inputMode="numeric"
          min={0}
          value={pool.count}
          disabled={disabled}
          onChange={(e) => onChange({ count: e.target.value })}
          error={errors.count}
        />
        <Input
          label={`Pool ${n} minimum`}
          type="number"
          inputMode="numeric"
          min={0}
          value={pool.minCount}
          disabled={disabled}
          onChange={(e) => onChange({ minCount: e.target.value })}
          error={errors.minCount}
          hint="For autoscaling later"
        />
        <Input
          label={`Pool ${n} maximum`}
          type="number"
          inputMode="numeric"
          min={0}
          value={pool.maxCount}
          disabled={disabled}
          onChange={(e) => onChange({ maxCount: e.target.value })}
          error={errors.maxCount}
        />
      </div>
      <div className={two}>
        <KvEditor
          label={`Pool ${n} labels`}
          rows={pool.labels}
          onChange={(labels) => onChange({ labels })}
          error={errors.labels}
          disabled={disabled}
        />
        <KvEditor
          label={`Pool ${n} taints`}
          rows={pool.taints}
          onChange={(taints) => onChange({ taints })}
          error={errors.taints}
          withEffect
          disabled={disabled}
        />
      </div>
    </fieldset>
  );
}
