// Table columns of custom resources from the CRD's additionalPrinterColumns (JSONPath, the
// subset CRDs use: .a.b, ['a.b'], [n], [*], [?(@.type=="Ready")]); without any, Name and Age.
import { age } from "../tables/format.ts";
import type { CrdServing } from "./types.ts";

type Json = any;

type Step =
  | { k: "field"; name: string }
  | { k: "index"; i: number }
  | { k: "all" }
  | { k: "filter"; path: string[]; op: "==" | "!="; value: Json };

function parse(expr: string): Step[] {
  let s = expr.trim();
  if (s.startsWith("{") && s.endsWith("}")) s = s.slice(1, -1);
  if (s.startsWith("$")) s = s.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === ".") {
      i++;
      let j = i;
      while (j < s.length && s[j] !== "." && s[j] !== "[") j++;
      if (j > i) steps.push({ k: "field", name: s.slice(i, j) });
      i = j;
    } else if (s[i] === "[") {
      const end = s.indexOf("]", i);
      if (end < 0) throw new Error(`unterminated [ in ${expr}`);
      const inner = s.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === "*") steps.push({ k: "all" });
      else if (/^-?\d+$/.test(inner)) steps.push({ k: "index", i: Number(inner) });
      else if (/^['"].*['"]$/.test(inner)) steps.push({ k: "field", name: inner.slice(1, -1) });
      else {
        const m = /^\?\(@((?:\.[\w-]+)+)\s*(==|!=)\s*(.+)\)$/.exec(inner);
        if (!m) throw new Error(`unsupported JSONPath filter ${inner}`);
        const raw = m[3]!.trim();
        const value = /^['"].*['"]$/.test(raw) ? raw.slice(1, -1) : JSON.parse(raw);
        steps.push({ k: "filter", path: m[1]!.slice(1).split("."), op: m[2] as "==" | "!=", value });
      }
    } else i++;
  }
  return steps;
}

const cache = new Map<string, Step[] | null>();

/** Every value the path selects. */
export function jsonPath(obj: Json, expr: string): Json[] {
  let steps = cache.get(expr);
  if (steps === undefined) {
    try {
      steps = parse(expr);
    } catch {
      steps = null;
    }
    cache.set(expr, steps);
  }
  if (!steps) return [];
  let cur: Json[] = [obj];
  for (const st of steps) {
    const next: Json[] = [];
    for (const v of cur) {
      if (v === undefined || v === null) continue;
      if (st.k === "field") {
        if (typeof v === "object" && !Array.isArray(v) && v[st.name] !== undefined) next.push(v[st.name]);
      } else if (st.k === "index") {
        if (Array.isArray(v)) {
          const x = v[st.i < 0 ? v.length + st.i : st.i];
          if (x !== undefined) next.push(x);
        }
      } else if (st.k === "all") {
        if (Array.isArray(v)) next.push(...v);
        else if (typeof v === "object") next.push(...Object.values(v));
      } else if (Array.isArray(v)) {
        for (const item of v) {
          let x: Json = item;
          for (const p of st.path) x = x?.[p];
          const eq = JSON.stringify(x) === JSON.stringify(st.value) || String(x) === String(st.value);
          if (st.op === "==" ? eq : !eq) next.push(item);
        }
      }
    }
    cur = next;
  }
  return cur;
}

function cell(type: string, v: Json): Json {
  if (v === undefined || v === null) return null;
  switch (type) {
    case "date":
      return typeof v === "string" ? age(v) : null;
    case "integer":
      return typeof v === "number" ? Math.trunc(v) : v;
    case "number":
    case "boolean":
      return v;
    default:
      return typeof v === "object" ? JSON.stringify(v) : String(v);
  }
}

const NAME = {
  name: "Name",
  type: "string",
  format: "name",
  description:
    "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
};

export function crdPrinter(crd: CrdServing): { columns: Json[]; row(o: Json): unknown[] } {
  const cols = crd.columns.length
    ? crd.columns
    : [{ name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "", priority: 0 }];
  return {
    columns: [
      NAME,
      ...cols.map((c) => ({
        name: c.name,
        type: c.type,
        format: c.format ?? "",
        description: c.description ?? "",
        priority: c.priority ?? 0,
      })),
    ],
    row: (o) => [o.metadata?.name, ...cols.map((c) => cell(c.type, jsonPath(o, c.jsonPath)[0]))],
  };
}

/** kubectl get crds: NAME and CREATED AT (the timestamp itself, as upstream). */
export const CRD_PRINTER = {
  columns: [
    NAME,
    {
      name: "Created At",
      type: "date",
      format: "",
      description: "CreationTimestamp is a timestamp representing the server time when this object was created.",
      priority: 0,
    },
  ],
  row: (o: Json) => [o.metadata?.name, o.metadata?.creationTimestamp],
};
