// Per-kind validation with upstream field paths and messages, plus server-side field validation
// (unknown fields against the served OpenAPI schema: Strict → 400, Warn → Warning header).
import type { KubeObject } from "../../client.ts";
import { parseSchedule } from "../../controllers/cron.ts";
import { definition } from "../../openapi/index.ts";
import type { RequestContext } from "../context.ts";
import { validateCustomResource } from "../crd/schema.ts";
import { validateCrd } from "../crd/strategy.ts";
import { ApiError, type FieldCause, invalid } from "../errors.ts";
import { isQuantity, parseQuantity } from "../quantity.ts";
import type { ResourceDef } from "../registry.ts";
import { selectorMatches } from "../selectors.ts";

type Json = any;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

const q = (v: unknown) => JSON.stringify(v);
const goMap = (m: Record<string, string> | undefined) =>
  `map[string]string{${Object.entries(m ?? {})
    .map(([k, v]) => `${q(k)}:${q(v)}`)
    .join(", ")}}`;

function inv(field: string, value: unknown, msg: string): FieldCause {
  return { field, type: "FieldValueInvalid", message: `${typeof value === "string" ? q(value) : value}: ${msg}` };
}
function req(field: string): FieldCause {
  return { field, type: "FieldValueRequired", message: "" };
}

const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

const LABEL_NAMED = new Set(["namespaces", "services"]);

function validateMeta(def: ResourceDef, o: KubeObject, errs: FieldCause[]): void {
  const name = o.metadata.name;
  if (!name)
    errs.push({ field: "metadata.name", type: "FieldValueRequired", message: "name or generateName is required" });
  else if (!(def.group === "rbac.authorization.k8s.io" || def.resource === "events")) {
    const label = LABEL_NAMED.has(def.resource) && def.group === "";
    const ok = label
      ? DNS1123_LABEL.test(name) && name.length <= 63
      : DNS1123_SUBDOMAIN.test(name) && name.length <= 253;
    if (!ok) errs.push(inv("metadata.name", name, label ? LABEL_MSG : SUBDOMAIN_MSG));
  }
  for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
    const [pre, nm] = k.includes("/") ? k.split("/", 2) : [undefined, k];
    if (!nm || !LABEL_NAME.test(nm) || nm.length > 63 || (pre !== undefined && !DNS1123_SUBDOMAIN.test(pre))) {
      errs.push(
        inv(
          "metadata.labels",
          k,
          "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        ),
      );
    }
    if (typeof v !== "string" || !LABEL_VALUE.test(v) || v.length > 63) {
      errs.push(
        inv(
          `metadata.labels`,
          v,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        ),
      );
    }
  }
}

function validateResources(path: string, r: Json, errs: FieldCause[]): void {
  for (const kind of ["limits", "requests"]) {
    for (const [k, v] of Object.entries(r?.[kind] ?? {})) {
      if (!isQuantity(v))
        errs.push(inv(`${path}.${kind}[${k}]`, v, "must match the regex ^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"));
    }
  }
  for (const [k, lim] of Object.entries(r?.limits ?? {})) {
    const rq = r?.requests?.[k];
    if (rq !== undefined && (parseQuantity(rq) ?? 0) > (parseQuantity(lim) ?? 0)) {
      errs.push(inv(`${path}.requests`, rq, `must be less than or equal to ${k} limit of ${lim}`));
    }
  }
}

export function validatePodSpec(path: string, spec: Json, errs: FieldCause[]): void {
  if (!spec || typeof spec !== "object") {
    errs.push(req(path));
    return;
  }
  const cs = spec.containers;
  if (!Array.isArray(cs) || cs.length === 0) errs.push(req(`${path}.containers`));
  const names = new Set<string>();
  const all: [string, Json[]][] = [
    ["containers", Array.isArray(cs) ? cs : []],
    ["initContainers", spec.initContainers ?? []],
  ];
  for (const [field, list] of all) {
    list.forEach((c: Json, i: number) => {
      const p = `${path}.${field}[${i}]`;
      if (!c?.name) errs.push(req(`${p}.name`));
      else if (!DNS1123_LABEL.test(c.name)) errs.push(inv(`${p}.name`, c.name, LABEL_MSG));
      else if (names.has(c.name)) errs.push({ field: `${p}.name`, type: "FieldValueDuplicate", message: q(c.name) });
      else names.add(c.name);
      if (!c?.image) errs.push(req(`${p}.image`));
      (c?.ports ?? []).forEach((port: Json, j: number) => {
        const cp = port?.containerPort;
        if (!Number.isInteger(cp) || cp < 1 || cp > 65535) {
          errs.push(inv(`${p}.ports[${j}].containerPort`, cp, "must be between 1 and 65535, inclusive"));
        }
      });
      if (c?.resources) validateResources(`${p}.resources`, c.resources, errs);
      if (c?.imagePullPolicy && !["Always", "IfNotPresent", "Never"].includes(c.imagePullPolicy)) {
        errs.push({
          field: `${p}.imagePullPolicy`,
          type: "FieldValueNotSupported",
          message: `${q(c.imagePullPolicy)}: supported values: "Always", "IfNotPresent", "Never"`,
        });
      }
    });
  }
  if (spec.restartPolicy && !["Always", "OnFailure", "Never"].includes(spec.restartPolicy)) {
    errs.push({
      field: `${path}.restartPolicy`,
      type: "FieldValueNotSupported",
      message: `${q(spec.restartPolicy)}: supported values: "Always", "OnFailure", "Never"`,
    });
  }
}

function validateWorkload(def: ResourceDef, o: Json, old: Json, errs: FieldCause[]): void {
  const spec = o.spec ?? {};
  if (spec.replicas !== undefined && (!Number.isInteger(spec.replicas) || spec.replicas < 0)) {
    errs.push(inv("spec.replicas", spec.replicas, "must be greater than or equal to 0"));
  }
  const sel = spec.selector;
  const tl = spec.template?.metadata?.labels;
  if (def.resource === "replicationcontrollers") {
    if (sel && tl && !Object.entries(sel).every(([k, v]) => tl[k] === v)) {
      errs.push(inv("spec.template.metadata.labels", goMap(tl), "`selector` does not match template `labels`"));
    }
  } else {
    if (!sel) errs.push(req("spec.selector"));
    else if (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length) {
      errs.push(inv("spec.selector", "", "empty selector is invalid for deployment"));
    } else if (!selectorMatches(sel, tl)) {
      errs.push(inv("spec.template.metadata.labels", goMap(tl), "`selector` does not match template `labels`"));
    }
    if (old && JSON.stringify(old.spec?.selector) !== JSON.stringify(sel)) {
      errs.push(inv("spec.selector", JSON.stringify(sel), "field is immutable"));
    }
  }
  validatePodSpec("spec.template.spec", spec.template?.spec, errs);
}

/** Job specs (Jobs and CronJob templates): counts, and a restartPolicy of OnFailure or Never. */
function validateJobSpec(path: string, spec: Json, errs: FieldCause[]): void {
  const s = spec ?? {};
  for (const f of ["parallelism", "completions", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"]) {
    if (s[f] !== undefined && s[f] !== null && (!Number.isInteger(s[f]) || s[f] < 0))
      errs.push(inv(`${path}.${f}`, s[f], "must be greater than or equal to 0"));
  }
  if (s.completionMode === "Indexed" && s.completions == null) errs.push(req(`${path}.completions`));
  const rp = s.template?.spec?.restartPolicy;
  if (s.podFailurePolicy && rp !== "Never") {
    errs.push({
      field: `${path}.template.spec.restartPolicy`,
      type: "FieldValueInvalid",
      message: `${q(rp)}: only "Never" is supported when podFailurePolicy is specified`,
    });
  }
  if (rp !== "OnFailure" && rp !== "Never") {
    errs.push({
      field: `${path}.template.spec.restartPolicy`,
      type: "FieldValueRequired",
      message: `valid values: "OnFailure", "Never"`,
    });
  }
  validatePodSpec(`${path}.template.spec`, s.template?.spec, errs);
}

function validateService(o: Json, old: Json, errs: FieldCause[]): void {
  const s = o.spec ?? {};
  const types = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"];
  if (!types.includes(s.type))
    errs.push({
      field: "spec.type",
      type: "FieldValueNotSupported",
      message: `${q(s.type)}: supported values: ${types.map(q).join(", ")}`,
    });
  if (s.type !== "ExternalName" && s.clusterIP !== "None" && !(s.ports ?? []).length) errs.push(req("spec.ports"));
  (s.ports ?? []).forEach((p: Json, i: number) => {
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535)
      errs.push(inv(`spec.ports[${i}].port`, p.port, "must be between 1 and 65535, inclusive"));
    if (s.ports.length > 1 && !p.name) errs.push(req(`spec.ports[${i}].name`));
    if (p.nodePort !== undefined && (p.nodePort < 30000 || p.nodePort > 32767)) {
      errs.push(
        inv(
          `spec.ports[${i}].nodePort`,
          p.nodePort,
          "provided port is not in the valid range. The range of valid ports is 30000-32767",
        ),
      );
    }
  });
  if (old?.spec?.clusterIP && s.clusterIP && old.spec.clusterIP !== s.clusterIP && old.spec.type !== "ExternalName") {
    errs.push(inv("spec.clusterIPs[0]", s.clusterIP, "may not change once set"));
  }
}

function validatePodUpdate(o: Json, old: Json, errs: FieldCause[]): void {
  const strip = (spec: Json) => {
    const c = structuredClone(spec ?? {});
    for (const k of ["activeDeadlineSeconds", "tolerations", "nodeName"]) delete c[k];
    for (const x of [...(c.containers ?? []), ...(c.initContainers ?? [])]) delete x.image;
    return JSON.stringify(c);
  };
  if (strip(o.spec) !== strip(old.spec)) {
    errs.push({
      field: "spec",
      type: "FieldValueForbidden",
      message:
        "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
    });
  }
  if (old.spec?.nodeName && o.spec?.nodeName !== old.spec.nodeName)
    errs.push({ field: "spec.nodeName", type: "FieldValueForbidden", message: "field is immutable" });
}

function validateQuantities(path: string, m: Json, errs: FieldCause[]): void {
  for (const [k, v] of Object.entries(m ?? {}))
    if (!isQuantity(v))
      errs.push(inv(`${path}[${k}]`, v, "must match the regex ^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"));
}

export function validateObject(
  ctx: RequestContext,
  def: ResourceDef,
  obj: KubeObject,
  old: KubeObject | undefined,
): void {
  checkUnknownFields(ctx, def, obj);
  const errs: FieldCause[] = [];
  const o = obj as Json;
  validateMeta(def, obj, errs);
  if (def.crd) errs.push(...validateCustomResource(ctx, def, obj));
  if (def.group === "apiextensions.k8s.io") errs.push(...validateCrd(o, old as Json));
  switch (`${def.group}/${def.resource}`) {
    case "/pods":
      validatePodSpec("spec", o.spec, errs);
      if (old) validatePodUpdate(o, old, errs);
      break;
    case "apps/deployments":
    case "apps/replicasets":
    case "/replicationcontrollers":
    case "apps/daemonsets":
    case "apps/statefulsets":
      validateWorkload(def, o, old, errs);
      break;
    case "batch/jobs":
      validateJobSpec("spec", o.spec, errs);
      break;
    case "batch/cronjobs":
      if (!o.spec?.schedule) errs.push(req("spec.schedule"));
      else {
        try {
          parseSchedule(o.spec.schedule, o.spec.timeZone);
        } catch (err) {
          const msg = (err as Error).message;
          const field = /time zone/.test(msg) ? "spec.timeZone" : "spec.schedule";
          errs.push(inv(field, field === "spec.timeZone" ? o.spec.timeZone : o.spec.schedule, msg));
        }
      }
      validateJobSpec("spec.jobTemplate.spec", o.spec?.jobTemplate?.spec, errs);
      break;
    case "/services":
      validateService(o, old, errs);
      break;
    case "/resourcequotas":
      validateQuantities("spec.hard", o.spec?.hard, errs);
      break;
    case "/limitranges":
      (o.spec?.limits ?? []).forEach((l: Json, i: number) => {
        for (const f of ["default", "defaultRequest", "max", "min", "maxLimitRequestRatio"])
          validateQuantities(`spec.limits[${i}].${f}`, l[f], errs);
      });
      break;
    case "/configmaps":
    case "/secrets":
      for (const k of Object.keys({ ...(o.data ?? {}), ...(o.binaryData ?? {}) })) {
        if (!/^[-._a-zA-Z0-9]+$/.test(k))
          errs.push(
            inv(`data[${k}]`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"),
          );
      }
      if (old && (old as Json).immutable === true) {
        const same = (k: string) => JSON.stringify(o[k] ?? {}) === JSON.stringify((old as Json)[k] ?? {});
        if (!same("data") || !same("binaryData"))
          errs.push({
            field: "data",
            type: "FieldValueForbidden",
            message: "field is immutable when `immutable` is set",
          });
        if (o.immutable !== true)
          errs.push({
            field: "immutable",
            type: "FieldValueForbidden",
            message: "field is immutable when `immutable` is set",
          });
      }
      if (def.resource === "secrets") {
        for (const [k, v] of Object.entries(o.data ?? {})) {
          if (typeof v !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(v))
            errs.push(inv(`data[${k}]`, "<secret>", "must be base64 encoded"));
        }
      }
      break;
  }
  if (errs.length) throw invalid(def, obj.metadata.name ?? "", errs);
}

function resolveSchema(s: Json): Json {
  let cur = s;
  for (let i = 0; i < 10 && cur; i++) {
    if (cur.$ref) cur = definition(String(cur.$ref).replace("#/definitions/", ""));
    else if (cur.allOf?.[0]) cur = cur.allOf[0];
    else break;
  }
  return cur;
}

function unknownFields(value: Json, schema: Json, path: string, out: string[]): void {
  const s = resolveSchema(schema);
  if (!s || value === null || typeof value !== "object") return;
  if (s["x-kubernetes-preserve-unknown-fields"]) return;
  if (Array.isArray(value)) {
    if (s.items) for (const [i, v] of value.entries()) unknownFields(v, s.items, `${path}[${i}]`, out);
    return;
  }
  if (s.properties) {
    for (const [k, v] of Object.entries(value)) {
      const p = path ? `${path}.${k}` : k;
      if (!(k in s.properties)) out.push(p);
      else unknownFields(v, s.properties[k], p, out);
    }
  } else if (s.additionalProperties && typeof s.additionalProperties === "object") {
    for (const [k, v] of Object.entries(value)) unknownFields(v, s.additionalProperties, `${path}.${k}`, out);
  }
}

export function checkUnknownFields(ctx: RequestContext, def: ResourceDef, obj: KubeObject): void {
  const mode = ctx.fieldValidation ?? "Ignore";
  if (mode === "Ignore") return;
  const schema = definition(def.openapi);
  if (!schema) return;
  const found: string[] = [];
  unknownFields(obj, schema, "", found);
  if (!found.length) return;
  const msgs = found.map((f) => `unknown field "${f}"`);
  if (mode === "Strict") throw new ApiError(400, "BadRequest", `strict decoding error: ${msgs.join(", ")}`);
  ctx.warnings.push(...msgs);
}
