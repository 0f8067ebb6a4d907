// CustomResourceDefinition objects: defaults (singular, listKind, conversion, the cleanup
// finalizer, status conditions), validation in upstream wording (name = plural.group, one
// storage version, structural schemas) and the ResourceDefs each served version becomes.
import type { FieldCause } from "../errors.ts";
import type { ResourceDef } from "../registry.ts";
import type { CrdServing, PrinterColumn } from "./types.ts";

type Json = any;
export const CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io";
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

export function defaultCrd(o: Json, creating: boolean): void {
  const spec = (o.spec ??= {});
  const names = (spec.names ??= {});
  if (names.kind) {
    names.singular ??= String(names.kind).toLowerCase();
    names.listKind ??= `${names.kind}List`;
  }
  spec.conversion ??= { strategy: "None" };
  for (const v of spec.versions ?? []) {
    for (const c of v.additionalPrinterColumns ?? []) c.priority ??= 0;
  }
  if (!creating) return;
  const meta = (o.metadata ??= {});
  if (!(meta.finalizers ?? []).includes(CLEANUP_FINALIZER))
    meta.finalizers = [...(meta.finalizers ?? []), CLEANUP_FINALIZER];
  const storage = (spec.versions ?? []).find((v: Json) => v.storage)?.name;
  const t = now();
  o.status = {
    conditions: [
      {
        type: "NamesAccepted",
        status: "True",
        lastTransitionTime: t,
        reason: "NoConflicts",
        message: "no conflicts found",
      },
      {
        type: "Established",
        status: "True",
        lastTransitionTime: t,
        reason: "InitialNamesAccepted",
        message: "the initial names have been accepted",
      },
    ],
    acceptedNames: { ...names },
    storedVersions: storage ? [storage] : [],
  };
}

function structural(s: Json, path: string, errs: FieldCause[], root = false): void {
  if (!s || typeof s !== "object") return;
  const loose = s["x-kubernetes-int-or-string"] || s["x-kubernetes-preserve-unknown-fields"];
  if (!s.type && !loose && !s.anyOf && !s.oneOf && !s.allOf) {
    errs.push({
      field: `${path}.type`,
      type: "FieldValueRequired",
      message: root ? "must not be empty at the root" : "must not be empty for specified object fields",
    });
  }
  if (root && s.type && s.type !== "object")
    errs.push({
      field: `${path}.type`,
      type: "FieldValueInvalid",
      message: `${JSON.stringify(s.type)}: must be object at the root`,
    });
  if (s.type === "array" && !s.items)
    errs.push({ field: `${path}.items`, type: "FieldValueRequired", message: "must be specified" });
  for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, Json>))
    structural(v, `${path}.properties[${k}]`, errs);
  if (s.items && !Array.isArray(s.items)) structural(s.items, `${path}.items`, errs);
  if (s.additionalProperties && typeof s.additionalProperties === "object")
    structural(s.additionalProperties, `${path}.additionalProperties`, errs);
  if (s.properties && s.additionalProperties && s.additionalProperties !== false)
    errs.push({
      field: `${path}.additionalProperties`,
      type: "FieldValueForbidden",
      message: "additionalProperties and properties are mutual exclusive",
    });
}

export function validateCrd(o: Json, old: Json | undefined): FieldCause[] {
  const errs: FieldCause[] = [];
  const spec = o.spec ?? {};
  const names = spec.names ?? {};
  const req = (field: string, message = "") => errs.push({ field, type: "FieldValueRequired", message });
  const inv = (field: string, value: Json, message: string) =>
    errs.push({ field, type: "FieldValueInvalid", message: `${JSON.stringify(value)}: ${message}` });
  if (!spec.group) req("spec.group");
  else if (!DNS1123_SUBDOMAIN.test(spec.group) || !spec.group.includes("."))
    inv("spec.group", spec.group, "should be a domain with at least one dot");
  if (!names.plural) req("spec.names.plural");
  else if (!DNS1123_LABEL.test(names.plural))
    inv(
      "spec.names.plural",
      names.plural,
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'",
    );
  if (!names.kind) req("spec.names.kind");
  if (names.singular && !DNS1123_LABEL.test(names.singular))
    inv(
      "spec.names.singular",
      names.singular,
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'",
    );
  for (const [i, sn] of ((names.shortNames ?? []) as string[]).entries())
    if (!DNS1123_LABEL.test(sn))
      inv(
        `spec.names.shortNames[${i}]`,
        sn,
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'",
      );
  if (spec.group && names.plural && o.metadata?.name !== `${names.plural}.${spec.group}`)
    inv("metadata.name", o.metadata?.name, 'must be spec.names.plural+"."+spec.group');
  if (spec.scope !== "Cluster" && spec.scope !== "Namespaced") {
    errs.push(
      spec.scope
        ? {
            field: "spec.scope",
            type: "FieldValueNotSupported",
            message: `${JSON.stringify(spec.scope)}: supported values: "Cluster", "Namespaced"`,
          }
        : { field: "spec.scope", type: "FieldValueRequired", message: "" },
    );
  }
  const versions = (spec.versions ?? []) as Json[];
  if (!versions.length) req("spec.versions", "must have exactly one version marked as storage version");
  else if (versions.filter((v) => v.storage).length !== 1)
    inv(
      "spec.versions",
      versions.map((v) => v.name),
      "must have exactly one version marked as storage version",
    );
  const seen = new Set<string>();
  for (const [i, v] of versions.entries()) {
    const p = `spec.versions[${i}]`;
    if (!v.name) req(`${p}.name`);
    else if (!/^v[0-9]+((alpha|beta)[0-9]+)?$/.test(v.name) && !DNS1123_LABEL.test(v.name))
      inv(`${p}.name`, v.name, "a DNS-1035 label must consist of lower case alphanumeric characters or '-'");
    if (seen.has(v.name))
      errs.push({ field: `${p}.name`, type: "FieldValueDuplicate", message: JSON.stringify(v.name) });
    seen.add(v.name);
    if (typeof v.served !== "boolean") req(`${p}.served`);
    if (typeof v.storage !== "boolean") req(`${p}.storage`);
    const schema = v.schema?.openAPIV3Schema;
    if (!schema) req(`${p}.schema.openAPIV3Schema`, "schemas are required");
    else structural(schema, `${p}.schema.openAPIV3Schema`, errs, true);
    for (const [j, c] of ((v.additionalPrinterColumns ?? []) as Json[]).entries()) {
      const cp = `${p}.additionalPrinterColumns[${j}]`;
      if (!c.name) req(`${cp}.name`);
      if (!c.jsonPath) req(`${cp}.jsonPath`);
      if (!["integer", "number", "string", "boolean", "date"].includes(c.type))
        errs.push({
          field: `${cp}.type`,
          type: "FieldValueNotSupported",
          message: `${JSON.stringify(c.type)}: supported values: "integer", "number", "string", "boolean", "date"`,
        });
    }
    const scale = v.subresources?.scale;
    if (scale) {
      if (!scale.specReplicasPath) req(`${p}.subresources.scale.specReplicasPath`);
      if (!scale.statusReplicasPath) req(`${p}.subresources.scale.statusReplicasPath`);
    }
  }
  if (old) {
    if (old.spec?.scope && spec.scope !== old.spec.scope) inv("spec.scope", spec.scope, "field is immutable");
    if (old.spec?.group && spec.group !== old.spec.group) inv("spec.group", spec.group, "field is immutable");
  }
  return errs;
}

const COLUMN_TYPES = new Set(["integer", "number", "string", "boolean", "date"]);

/** One ResourceDef per served version of an established CRD. */
export function servingDefs(crd: Json): ResourceDef[] {
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  const versions = (spec.versions ?? []) as Json[];
  const storage = versions.find((v) => v.storage)?.name ?? versions[0]?.name;
  return versions
    .filter((v) => v.served)
    .map((v) => {
      const subs: string[] = [];
      if (v.subresources?.status) subs.push("status");
      if (v.subresources?.scale) subs.push("scale");
      const columns: PrinterColumn[] = ((v.additionalPrinterColumns ?? []) as Json[])
        .filter((c) => COLUMN_TYPES.has(c.type))
        .map((c) => ({
          name: c.name,
          type: c.type,
          format: c.format,
          description: c.description ?? "",
          priority: c.priority ?? 0,
          jsonPath: c.jsonPath,
        }));
      const crdInfo: CrdServing = {
        crdName: crd.metadata.name,
        schema: v.schema?.openAPIV3Schema,
        columns,
        scale: v.subresources?.scale,
        storageVersion: storage,
        deprecationWarning: v.deprecated
          ? (v.deprecationWarning ?? `${spec.group}/${v.name} ${names.kind} is deprecated`)
          : undefined,
      };
      return {
        group: spec.group,
        version: v.name,
        resource: names.plural,
        kind: names.kind,
        singular: names.singular ?? String(names.kind).toLowerCase(),
        namespaced: spec.scope === "Namespaced",
        ...(names.shortNames?.length ? { shortNames: names.shortNames } : {}),
        ...(names.categories?.length ? { categories: names.categories } : {}),
        ...(subs.length ? { subresources: subs } : {}),
        openapi: "",
        crd: crdInfo,
      } satisfies ResourceDef;
    });
}
