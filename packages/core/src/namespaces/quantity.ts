// Kubernetes resource quantities ("500m", "2Gi", "1e3", "1.5"), parsed exactly enough for quota
// arithmetic: cpu in millicores, everything else in whole base units (bytes, counts).
import { AppError } from "../errors.ts";

const SUFFIX: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
};

const RE = /^(\d+(?:\.\d+)?|\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|m|k|M|G|T|P))?$/;

/** Parses a quantity to base units (cores for cpu, bytes for memory); undefined when malformed. */
export function parseQuantity(text: string): number | undefined {
  const m = RE.exec(text.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  const v = m[2] ? base * 10 ** Number(m[2].slice(1)) : base * SUFFIX[m[3] ?? ""]!;
  return Number.isFinite(v) ? v : undefined;
}

export const isCpu = (resource: string) => /(^|\.)cpu$/.test(resource);

/**
 * The integer the platform compares: millicores for cpu, base units otherwise (rounded up, as
 * Kubernetes does). Throws BAD_REQUEST naming the field on a bad quantity.
 */
export function quantityUnits(field: string, text: string): number {
  const v = parseQuantity(String(text));
  if (v === undefined) {
    throw new AppError(
      "BAD_REQUEST",
      `${field}: "${String(text).slice(0, 40)}" is not a Kubernetes quantity (examples: 500m, 2, 1.5Gi, 512Mi, 1e3)`,
      { field },
    );
  }
  if (isCpu(field.split(".").slice(-2).join("."))) return Math.ceil(v * 1000 - 1e-9);
  return Math.ceil(v - 1e-9);
}

/** Human form of units: "1500m"/"2" for cpu, "2Gi"/"512Mi" for bytes, plain integers for counts. */
export function formatUnits(resource: string, units: number): string {
  if (isCpu(resource)) return units % 1000 === 0 ? String(units / 1000) : `${units}m`;
  if (/memory|storage$/.test(resource)) {
    for (const [s, f] of [
      ["Ti", 2 ** 40],
      ["Gi", 2 ** 30],
      ["Mi", 2 ** 20],
      ["Ki", 2 ** 10],
    ] as const) {
      if (units >= f && units % f === 0) return `${units / f}${s}`;
    }
    if (units >= 2 ** 30) return `${(units / 2 ** 30).toFixed(2)}Gi`;
    if (units >= 2 ** 20) return `${(units / 2 ** 20).toFixed(1)}Mi`;
  }
  return String(units);
}
