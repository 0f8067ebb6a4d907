import { dnsLabelError } from "./format";
import { type KvRow, kvError, rowsToLabels, rowsToTaints } from "./kv-editor";
import type { PoolDraft, PoolErrors } from "./pool-rows";
import type { FlavorView } from "./types";

let seq = 0;
export function newPool(name: string, flavor: string, count = 2): PoolDraft {
  seq += 1;
  return {
    key: `p${seq}`,
    name,
    flavor,
    count: String(count),
    minCount: String(Math.min(1, count)),
    maxCount: String(Math.max(count, 3)),
    labels: [] as KvRow[],
    taints: [] as KvRow[],
  };
}

function int(v: string): number | null {
  if (!/^\d+$/.test(v.trim())) return null;
  return Number(v.trim());
}

/** Inline checks of one pool (the server checks again and its messages win). */
export function poolErrors(p: PoolDraft, others: PoolDraft[]): PoolErrors {
  const e: PoolErrors = {};
  e.name = dnsLabelError(p.name, "pool name");
  if (!e.name && others.some((o) => o.key !== p.key && o.name === p.name))
    e.name = `Another pool is named "${p.name}".`;
  if (!p.flavor) e.flavor = "Choose a flavor.";
  const count = int(p.count);
  const min = int(p.minCount);
  const max = int(p.maxCount);
  if (count === null) e.count = "A whole number, 0 or more.";
  if (min === null) e.minCount = "A whole number, 0 or more.";
  if (max === null) e.maxCount = "A whole number, 0 or more.";
  if (count !== null && min !== null && min > count) e.minCount = "The minimum cannot exceed the node count.";
  if (count !== null && max !== null && max < count) e.maxCount = "The maximum cannot be below the node count.";
  e.labels = kvError(p.labels, "label");
  e.taints = kvError(p.taints, "taint");
  for (const k of Object.keys(e) as Array<keyof PoolErrors>) if (!e[k]) delete e[k];
  return e;
}

export function poolInput(p: PoolDraft) {
  return {
    name: p.name.trim(),
    flavor: p.flavor,
    count: int(p.count) ?? 0,
    minCount: int(p.minCount) ?? 0,
    maxCount: int(p.maxCount) ?? 0,
    labels: rowsToLabels(p.labels),
    taints: rowsToTaints(p.taints),
  };
}

/** Hourly price of the node pools in integer cents (what the form shows while the user edits). */
export function poolsHourlyCents(pools: PoolDraft[], flavors: FlavorView[]): number {
  let total = 0;
  for (const p of pools) {
    const f = flavors.find((x) => x.name === p.flavor);
    const n = int(p.count);
    if (f && n !== null) total += f.priceCentsHourly * n;
  }
  return total;
}

/** Totals of the pools: nodes, vCPU and memory (MiB). */
export function poolTotals(
  pools: Array<{ flavor: string; count: number | string }>,
  flavors: FlavorView[],
): { nodes: number; vcpu: number; memoryMib: number } {
  let nodes = 0;
  let vcpu = 0;
  let memoryMib = 0;
  for (const p of pools) {
    const n = typeof p.count === "number" ? p.count : (int(p.count) ?? 0);
    const f = flavors.find((x) => x.name === p.flavor);
    nodes += n;
    if (f) {
      vcpu += f.vcpus * n;
      memoryMib += f.memoryMiB * n;
    }
  }
  return { nodes, vcpu, memoryMib };
}

/**
 * Where a server error about a field belongs: "nodePools.1.count" or "nodePools[1].count" → pool 1's
 * count; "name", "region", "version", "haControlPlane" stay as they are.
 */
export function splitFieldErrors(errs: Record<string, string | undefined>): {
  top: Record<string, string>;
  pools: Record<number, PoolErrors>;
} {
  const top: Record<string, string> = {};
  const pools: Record<number, PoolErrors> = {};
  for (const [k, v] of Object.entries(errs)) {
    if (!v) continue;
    const m = /^nodePools(?:\.|\[)(\d+)\]?\.?(\w+)?/.exec(k);
    if (m) {
      const i = Number(m[1]);
      const field = (m[2] ?? "name") as keyof PoolErrors;
      pools[i] = { ...pools[i], [field]: v };
    } else top[k] = v;
  }
  return { top, pools };
}
