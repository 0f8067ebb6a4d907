// Ingresses: upstream's DefaultIngressClass admission (an Ingress created without a class gets
// the IngressClass annotated `ingressclass.kubernetes.io/is-default-class: "true"`; localcloud
// installs `nuage`), and the validation of paths and backends, with upstream's field messages.
import { type FieldCause, invalid } from "../apiserver/errors.ts";
import { findResource } from "../apiserver/registry.ts";
import type { AdmissionPlugin, Store } from "../apiserver/store.ts";

type Json = any;
const INGRESS = findResource("networking.k8s.io", "v1", "ingresses")!;
const CLASSES = findResource("networking.k8s.io", "v1", "ingressclasses")!;
export const DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";
const PATH_TYPES = ["Exact", "Prefix", "ImplementationSpecific"];

function backendCauses(b: Json, field: string): FieldCause[] {
  const out: FieldCause[] = [];
  if (!b?.service && !b?.resource) {
    out.push({ field, type: "FieldValueInvalid", message: "one backend (service or resource) must be specified" });
    return out;
  }
  if (b.service) {
    if (!b.service.name) out.push({ field: `${field}.service.name`, type: "FieldValueRequired", message: "" });
    const p = b.service.port ?? {};
    if (p.name && p.number) {
      out.push({
        field: `${field}.service.port`,
        type: "FieldValueInvalid",
        message: "cannot set both port name & port number",
      });
    } else if (!p.name && !p.number) {
      out.push({
        field: `${field}.service.port.name`,
        type: "FieldValueRequired",
        message: "port name or number is required",
      });
    }
  }
  return out;
}

export function ingressAdmission(store: Store): AdmissionPlugin {
  return {
    name: "DefaultIngressClass",
    async admit(_ctx, op, def, obj) {
      if (def !== INGRESS || op !== "CREATE") return;
      const o = obj as Json;
      o.spec ??= {};
      if (o.spec.ingressClassName || o.metadata?.annotations?.["kubernetes.io/ingress.class"]) return;
      const classes = (await store.storage.list(CLASSES, undefined)).items as Json[];
      const defaults = classes
        .filter((c) => c.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true")
        .sort((a, b) => String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)));
      if (defaults[0]) o.spec.ingressClassName = defaults[0].metadata.name;
    },
    async validate(_ctx, op, def, obj) {
      if (def !== INGRESS || op === "DELETE") return;
      const o = obj as Json;
      const causes: FieldCause[] = [];
      if (o.spec?.defaultBackend) causes.push(...backendCauses(o.spec.defaultBackend, "spec.defaultBackend"));
      (o.spec?.rules ?? []).forEach((r: Json, i: number) => {
        if (r.host && (r.host.includes(":") || /^\d+\.\d+\.\d+\.\d+$/.test(r.host))) {
          causes.push({
            field: `spec.rules[${i}].host`,
            type: "FieldValueInvalid",
            message: "must be a DNS name, not an IP address",
          });
        }
        (r.http?.paths ?? []).forEach((p: Json, j: number) => {
          const f = `spec.rules[${i}].http.paths[${j}]`;
          if (!p.pathType)
            causes.push({ field: `${f}.pathType`, type: "FieldValueRequired", message: "pathType must be specified" });
          else if (!PATH_TYPES.includes(p.pathType)) {
            causes.push({
              field: `${f}.pathType`,
              type: "FieldValueNotSupported",
              message: `supported values: "Exact", "ImplementationSpecific", "Prefix"`,
            });
          }
          if (p.pathType !== "ImplementationSpecific" && p.path !== undefined && !String(p.path).startsWith("/")) {
            causes.push({ field: `${f}.path`, type: "FieldValueInvalid", message: "must be an absolute path" });
          }
          causes.push(...backendCauses(p.backend, `${f}.backend`));
        });
      });
      if (!o.spec?.defaultBackend && !(o.spec?.rules ?? []).length) {
        causes.push({
          field: "spec.rules",
          type: "FieldValueRequired",
          message: "either `defaultBackend` or `rules` must be specified",
        });
      }
      if (causes.length) throw invalid(INGRESS, o.metadata?.name ?? "", causes);
    },
  };
}
