// Label selectors (equality and set-based) and field selectors, parsed like upstream.
import type { KubeObject } from "../client.ts";
import { badRequest } from "./errors.ts";

type Req = { key: string; op: "=" | "!=" | "in" | "notin" | "exists" | "!"; values: string[] };

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out.map((x) => x.trim()).filter(Boolean);
}

export function parseLabelSelector(sel: string | undefined): Req[] {
  if (!sel) return [];
  return splitTop(sel).map((part) => {
    let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
    if (m)
      return {
        key: m[1]!,
        op: m[2] as "in",
        values: m[3]!
          .split(",")
          .map((v) => v.trim())
          .filter(Boolean),
      };
    m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(part);
    if (m) return { key: m[1]!, op: m[2] === "!=" ? "!=" : "=", values: [m[3]!] };
    m = /^!\s*([\w./-]+)$/.exec(part);
    if (m) return { key: m[1]!, op: "!", values: [] };
    m = /^([\w./-]+)$/.exec(part);
    if (m) return { key: m[1]!, op: "exists", values: [] };
    throw badRequest(`unable to parse requirement: invalid label selector "${part}"`);
  });
}

export function matchLabels(reqs: Req[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.hasOwn(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case "=":
        return has && v === r.values[0];
      case "!=":
        return !has || v !== r.values[0];
      case "in":
        return has && r.values.includes(v!);
      case "notin":
        return !has || !r.values.includes(v!);
      case "exists":
        return has;
      case "!":
        return !has;
    }
    return false;
  });
}

/** A LabelSelector object (matchLabels + matchExpressions) as used in specs. */
export function selectorMatches(
  sel: {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  },
  labels: Record<string, string> | undefined,
): boolean {
  const reqs: Req[] = Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({ key, op: "=", values: [v] }));
  for (const e of sel.matchExpressions ?? []) {
    const op = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" }[e.operator] as Req["op"];
    reqs.push({ key: e.key, op, values: e.values ?? [] });
  }
  return matchLabels(reqs, labels);
}

type FieldReq = { path: string; neg: boolean; value: string };

export function parseFieldSelector(sel: string | undefined): FieldReq[] {
  if (!sel) return [];
  return splitTop(sel).map((part) => {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${sel}'; can't understand '${part}'`);
    return { path: m[1]!, neg: m[2] === "!=", value: m[3]!.trim() };
  });
}

function fieldValue(obj: KubeObject, path: string): string {
  let cur: unknown = obj;
  for (const seg of path.split(".")) {
    if (cur && typeof cur === "object") cur = (cur as Record<string, unknown>)[seg];
    else return "";
  }
  if (cur === undefined || cur === null) return "";
  return String(cur);
}

export function matchFields(reqs: FieldReq[], obj: KubeObject): boolean {
  return reqs.every((r) => (fieldValue(obj, r.path) === r.value) !== r.neg);
}

export function makeFilter(
  labelSelector: string | undefined,
  fieldSelector: string | undefined,
): ((o: KubeObject) => boolean) | undefined {
  const l = parseLabelSelector(labelSelector);
  const f = parseFieldSelector(fieldSelector);
  if (!l.length && !f.length) return undefined;
  return (o) => matchLabels(l, o.metadata.labels) && matchFields(f, o);
}
