// Kubernetes resource quantities ("100m", "1.5Gi", "2e3"), parsed to numbers of base units.
const SUFFIX: Record<string, number> = {
  "": 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const RE = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === "number") return q;
  if (typeof q !== "string") return undefined;
  const m = RE.exec(q.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  return base * SUFFIX[m[3] ?? ""]!;
}

export function isQuantity(q: unknown): boolean {
  return parseQuantity(q) !== undefined;
}

/** Formats a number of base units the way quota messages do: cpu in millis when fractional. */
export function formatQuantity(resource: string, v: number): string {
  if (/cpu$/.test(resource)) {
    if (Number.isInteger(v)) return String(v);
    return `${Math.round(v * 1000)}m`;
  }
  if (/memory|storage$/.test(resource)) {
    for (const [s, f] of [
      ["Gi", 2 ** 30],
      ["Mi", 2 ** 20],
      ["Ki", 2 ** 10],
    ] as const) {
      if (v >= f && Number.isInteger(v / f)) return `${v / f}${s}`;
    }
  }
  return String(v);
}
