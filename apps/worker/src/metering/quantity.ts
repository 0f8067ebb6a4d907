// Kubernetes resource quantities ("250m", "1", "12345n", "512Mi", "1G") as integers in the ledger's units.

const BIN: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DEC: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** The quantity as a plain number (cores for CPU, bytes for memory); NaN when unreadable. */
export function parseQuantity(q: string | number | undefined | null): number {
  if (q === undefined || q === null) return Number.NaN;
  if (typeof q === "number") return q;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  const suffix = m[2] ?? "";
  const mult = BIN[suffix] ?? DEC[suffix];
  return mult === undefined ? Number.NaN : n * mult;
}

/** CPU quantity in millicores (rounded; unreadable counts 0). */
export function millicores(q: string | number | undefined | null): number {
  const v = parseQuantity(q);
  return Number.isFinite(v) ? Math.round(v * 1000) : 0;
}

/** Memory or storage quantity in MiB (rounded; unreadable counts 0). */
export function mebibytes(q: string | number | undefined | null): number {
  const v = parseQuantity(q);
  return Number.isFinite(v) ? Math.round(v / 2 ** 20) : 0;
}
