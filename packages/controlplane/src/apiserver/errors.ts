// Upstream-shaped failures. Every error leaving the API server is a metav1.Status built here.
import { ApiError } from "../client.ts";
import type { ResourceDef } from "./registry.ts";

export { ApiError };

export function qualifiedResource(def: Pick<ResourceDef, "group" | "resource">): string {
  return def.group ? `${def.resource}.${def.group}` : def.resource;
}

export function qualifiedKind(def: Pick<ResourceDef, "group" | "kind">): string {
  return def.group ? `${def.kind}.${def.group}` : def.kind;
}

export function notFound(def: Pick<ResourceDef, "group" | "resource">, name: string): ApiError {
  return new ApiError(404, "NotFound", `${qualifiedResource(def)} "${name}" not found`, {
    name,
    group: def.group,
    kind: def.resource,
  });
}

export function alreadyExists(def: Pick<ResourceDef, "group" | "resource">, name: string): ApiError {
  return new ApiError(409, "AlreadyExists", `${qualifiedResource(def)} "${name}" already exists`, {
    name,
    group: def.group,
    kind: def.resource,
  });
}

export function conflict(def: Pick<ResourceDef, "group" | "resource">, name: string, why?: string): ApiError {
  return new ApiError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedResource(def)} "${name}": ${why ?? "the object has been modified; please apply your changes to the latest version and try again"}`,
    { name, group: def.group, kind: def.resource },
  );
}

export interface FieldCause {
  field: string;
  type:
    | "FieldValueRequired"
    | "FieldValueInvalid"
    | "FieldValueNotSupported"
    | "FieldValueForbidden"
    | "FieldValueDuplicate";
  message: string;
}

const causeLabel: Record<FieldCause["type"], string> = {
  FieldValueRequired: "Required value",
  FieldValueInvalid: "Invalid value",
  FieldValueNotSupported: "Unsupported value",
  FieldValueForbidden: "Forbidden",
  FieldValueDuplicate: "Duplicate value",
};

export function invalid(def: Pick<ResourceDef, "group" | "kind">, name: string, causes: FieldCause[]): ApiError {
  const parts = causes.map((c) => `${c.field}: ${causeLabel[c.type]}${c.message ? `: ${c.message}` : ""}`);
  const list = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
  return new ApiError(422, "Invalid", `${qualifiedKind(def)} "${name}" is invalid: ${list}`, {
    name,
    group: def.group,
    kind: def.kind,
    causes: causes.map((c) => ({ reason: c.type, message: `${causeLabel[c.type]}: ${c.message}`, field: c.field })),
  });
}

export function forbidden(def: Pick<ResourceDef, "group" | "resource">, name: string, why: string): ApiError {
  const target = name ? `${qualifiedResource(def)} "${name}"` : qualifiedResource(def);
  return new ApiError(403, "Forbidden", `${target} is forbidden: ${why}`, {
    name: name || undefined,
    group: def.group,
    kind: def.resource,
  });
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, "BadRequest", message);
}

export function methodNotAllowed(
  message = "the server does not allow this method on the requested resource",
): ApiError {
  return new ApiError(405, "MethodNotAllowed", message);
}

export function gone(message = "too old resource version"): ApiError {
  return new ApiError(410, "Expired", message);
}

export function unauthorized(): ApiError {
  return new ApiError(401, "Unauthorized", "Unauthorized");
}

export function internal(message: string): ApiError {
  return new ApiError(500, "InternalError", `Internal error occurred: ${message}`);
}

export function toStatus(err: ApiError): Record<string, unknown> {
  const status: Record<string, unknown> = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: err.message,
    reason: err.reason,
    code: err.code,
  };
  if (err.details) status.details = err.details;
  return status;
}

export function asApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return internal(msg);
}
