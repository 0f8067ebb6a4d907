// Custom resources against their CRD's structural schema, in upstream's order: unknown fields
// are pruned (an error with fieldValidation=Strict, a warning with Warn), defaults are filled
// in, then types, required, enums, patterns, bounds and lengths are validated with upstream's
// messages ("spec.replicas in body should be greater than or equal to 1").
import type { KubeObject } from "../../client.ts";
import type { RequestContext } from "../context.ts";
import { ApiError, type FieldCause } from "../errors.ts";
import type { ResourceDef } from "../registry.ts";

type Json = any;
const isObj = (v: unknown): v is Record<string, Json> => !!v && typeof v === "object" && !Array.isArray(v);

function typeOf(v: Json): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** Removes fields the schema does not declare; returns their paths. */
export function prune(value: Json, schema: Json, path: string, out: string[], root = false): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    if (schema.items) for (const [i, v] of value.entries()) prune(v, schema.items, `${path}[${i}]`, out);
    return;
  }
  if (!isObj(value)) return;
  const embedded = root || schema["x-kubernetes-embedded-resource"];
  const preserve = schema["x-kubernetes-preserve-unknown-fields"] === true;
  for (const k of Object.keys(value)) {
    const p = path ? `${path}.${k}` : k;
    if (embedded && (k === "apiVersion" || k === "kind" || k === "metadata")) continue;
    const sub =
      schema.properties?.[k] ?? (isObj(schema.additionalProperties) ? schema.additionalProperties : undefined);
    if (sub) prune(value[k], sub, p, out);
    else if (!preserve && schema.additionalProperties !== true) {
      out.push(p);
      delete value[k];
    }
  }
}

/** Fills in `default` values of missing properties (and of nulls on non-nullable fields). */
export function applySchemaDefaults(value: Json, schema: Json): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    if (schema.items) for (const v of value) applySchemaDefaults(v, schema.items);
    return;
  }
  if (!isObj(value)) return;
  for (const [k, sub] of Object.entries((schema.properties ?? {}) as Record<string, Json>)) {
    if (sub.default !== undefined && (value[k] === undefined || (value[k] === null && !sub.nullable)))
      value[k] = structuredClone(sub.default);
    if (value[k] !== undefined) applySchemaDefaults(value[k], sub);
  }
  if (isObj(schema.additionalProperties))
    for (const k of Object.keys(value))
      if (!schema.properties?.[k]) applySchemaDefaults(value[k], schema.additionalProperties);
}

const show = (v: Json) => (typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v));

export function validateSchema(value: Json, schema: Json, path: string, errs: FieldCause[]): void {
  if (!schema) return;
  const inv = (msg: string, v: Json = value) =>
    errs.push({ field: path, type: "FieldValueInvalid", message: `${show(v)}: ${msg}` });
  if (value === null) {
    if (!schema.nullable && schema.type) inv(`${path} in body must be of type ${schema.type}: "null"`, "null");
    return;
  }
  const t = typeOf(value);
  if (schema["x-kubernetes-int-or-string"]) {
    if (t !== "integer" && t !== "string")
      inv(`${path} in body must be of type integer,string: ${JSON.stringify(t)}`, t);
  } else if (schema.type) {
    const okType = schema.type === t || (schema.type === "number" && t === "integer");
    if (!okType) {
      inv(`${path} in body must be of type ${schema.type}: ${JSON.stringify(t)}`, t);
      return;
    }
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e: Json) => JSON.stringify(e) === JSON.stringify(value))) {
    errs.push({
      field: path,
      type: "FieldValueNotSupported",
      message: `${show(value)}: supported values: ${schema.enum.map((e: Json) => show(e)).join(", ")}`,
    });
  }
  if (typeof value === "string") {
    if (schema.pattern && !new RegExp(schema.pattern, "u").test(value))
      inv(`${path} in body should match '${schema.pattern}'`);
    if (schema.minLength !== undefined && [...value].length < schema.minLength)
      inv(`${path} in body should be at least ${schema.minLength} chars long`);
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength)
      errs.push({
        field: path,
        type: "FieldValueInvalid",
        message: `${show(value)}: ${path} in body should be at most ${schema.maxLength} chars long`,
      });
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined) {
      const bad = schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum;
      if (bad)
        inv(`${path} in body should be greater than ${schema.exclusiveMinimum ? "" : "or equal to "}${schema.minimum}`);
    }
    if (schema.maximum !== undefined) {
      const bad = schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum;
      if (bad)
        inv(`${path} in body should be less than ${schema.exclusiveMaximum ? "" : "or equal to "}${schema.maximum}`);
    }
    if (schema.multipleOf && value % schema.multipleOf !== 0)
      inv(`${path} in body should be a multiple of ${schema.multipleOf}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      inv(`${path} in body should have at least ${schema.minItems} items`, value.length);
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      inv(`${path} in body should have at most ${schema.maxItems} items`, value.length);
    if (schema.items) for (const [i, v] of value.entries()) validateSchema(v, schema.items, `${path}[${i}]`, errs);
    return;
  }
  if (isObj(value)) {
    for (const r of (schema.required ?? []) as string[]) {
      if (value[r] === undefined)
        errs.push({ field: path ? `${path}.${r}` : r, type: "FieldValueRequired", message: "" });
    }
    const n = Object.keys(value).length;
    if (schema.minProperties !== undefined && n < schema.minProperties)
      inv(`${path} in body should have at least ${schema.minProperties} properties`, n);
    if (schema.maxProperties !== undefined && n > schema.maxProperties)
      inv(`${path} in body should have at most ${schema.maxProperties} properties`, n);
    for (const [k, v] of Object.entries(value)) {
      if (!path && (k === "apiVersion" || k === "kind" || k === "metadata")) continue;
      const sub =
        schema.properties?.[k] ?? (isObj(schema.additionalProperties) ? schema.additionalProperties : undefined);
      validateSchema(v, sub, path ? `${path}.${k}` : k, errs);
    }
  }
}

/**
 * The CRD part of a custom resource's validation: prune (Strict → 400 listing the fields),
 * default, validate. Mutates obj.
 */
export function validateCustomResource(ctx: RequestContext, def: ResourceDef, obj: KubeObject): FieldCause[] {
  const schema = def.crd?.schema;
  if (!schema) return [];
  const pruned: string[] = [];
  prune(obj, schema, "", pruned, true);
  if (pruned.length) {
    const msgs = pruned.map((f) => `unknown field "${f}"`);
    if (ctx.fieldValidation === "Strict")
      throw new ApiError(400, "BadRequest", `strict decoding error: ${msgs.join(", ")}`);
    if (ctx.fieldValidation !== "Ignore") ctx.warnings.push(...msgs);
  }
  applySchemaDefaults(obj, schema);
  const errs: FieldCause[] = [];
  validateSchema(obj, schema, "", errs);
  return errs;
}
