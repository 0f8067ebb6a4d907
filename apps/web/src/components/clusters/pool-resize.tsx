"use client";

import { Button } from "@nuage/ui";
import { type FormEvent, useId, useState } from "react";
import { ResizeEstimate } from "./estimate";
import type { PoolView } from "./types";

/** A number input and "Resize": Enter in the field applies it too; the new price shows under it. */
export function PoolResize({
  pool,
  cluster,
  disabled,
  onResize,
}: {
  pool: PoolView;
  cluster: { haControlPlane: boolean; nodePools: PoolView[] };
  disabled: boolean;
  onResize: (count: number) => void;
}) {
  const id = useId();
  const [value, setValue] = useState(String(pool.count));
  const n = Number(value);
  const valid = /^\d+$/.test(value) && n >= 0 && n <= 100;
  function submit(e: FormEvent) {
    e.preventDefault();
    if (valid && n !== pool.count) onResize(n);
  }
  return (
    <form onSubmit={submit} aria-label={`Resize ${pool.name}`}>
      <div className="flex items-end gap-2">
        <div>
          <label htmlFor={id} className="block text-xs font-medium text-slate-600">
            Nodes in {pool.name}
          </label>
          <input
            id={id}
            type="number"
            min={0}
            max={100}
            inputMode="numeric"
            value={value}
            disabled={disabled}
            aria-invalid={valid ? undefined : true}
            onChange={(e) => setValue(e.target.value)}
            className="mt-1 block w-20 rounded-md border-0 px-2.5 py-1.5 text-sm ring-1 ring-slate-300 ring-inset focus:ring-2 focus:ring-indigo-600 focus:outline-none disabled:bg-slate-50"
          />
        </div>
        <Button type="submit" size="sm" variant="secondary" disabled={disabled || !valid || n === pool.count}>
          Resize
        </Button>
      </div>
      {disabled ? null : <ResizeEstimate cluster={cluster} poolId={pool.id} count={valid ? n : null} />}
    </form>
  );
}
