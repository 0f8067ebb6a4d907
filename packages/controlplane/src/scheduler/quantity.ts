// Kubernetes resource quantities ("100m", "1.5", "128Mi", "1G", "2e3") as numbers: CPU in
// millicores, everything else in base units (bytes, counts).

const BIN: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DEC: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** Parses a quantity into its value in base units; throws naming the bad value. */
export function parseQuantity(q: string | number | undefined | null): number {
  if (q === undefined || q === null || q === "") return 0;
  if (typeof q === "number") return q;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/.exec(q.trim());
  if (!m) throw new Error(`invalid quantity ${JSON.stringify(q)}`);
  const n = Number(m[1]);
  if (m[2]) return n * 10 ** Number(m[2].slice(1));
  const suf = m[3] ?? "";
  return n * (BIN[suf] ?? DEC[suf] ?? 1);
}

/** CPU in millicores, rounded up like upstream's MilliValue. */
export function milliCpu(q: string | number | undefined | null): number {
  return Math.ceil(parseQuantity(q) * 1000 - 1e-9);
}

/** Resource list in scheduler units: cpu in millicores, memory and the rest in base units. */
export type Resources = Record<string, number>;

export function toResources(list: Record<string, string | number> | undefined): Resources {
  const out: Resources = {};
  for (const [k, v] of Object.entries(list ?? {})) out[k] = k === "cpu" ? milliCpu(v) : Math.ceil(parseQuantity(v));
  return out;
}

export function addResources(a: Resources, b: Resources): Resources {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

export function maxResources(a: Resources, b: Resources): Resources {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = Math.max(out[k] ?? 0, v);
  return out;
}

interface ContainerLike {
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

function containerRequests(c: ContainerLike): Resources {
  // Requests default to limits (as API defaulting does) when only limits are set.
  return { ...toResources(c.resources?.limits), ...toResources(c.resources?.requests) };
}

/** A pod's effective requests: sum of containers, at least the largest init container, plus overhead. */
export function podRequests(spec: {
  containers?: ContainerLike[];
  initContainers?: (ContainerLike & { restartPolicy?: string })[];
  overhead?: Record<string, string>;
}): Resources {
  let sum: Resources = {};
  for (const c of spec.containers ?? []) sum = addResources(sum, containerRequests(c));
  let sidecars: Resources = {};
  let initMax: Resources = {};
  for (const c of spec.initContainers ?? []) {
    const r = containerRequests(c);
    if (c.restartPolicy === "Always") {
      sidecars = addResources(sidecars, r);
      initMax = maxResources(initMax, sidecars);
    } else initMax = maxResources(initMax, addResources(sidecars, r));
  }
  sum = addResources(sum, sidecars);
  return addResources(maxResources(sum, initMax), toResources(spec.overhead));
}
