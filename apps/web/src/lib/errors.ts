/**
 * Reading a tRPC error on the client: the server's message, and per-field messages from the
 * zod error the API's error formatter attaches (`data.zodError.fieldErrors`) or from a
 * `data.fieldErrors` map when the server names the field of a domain error.
 */
export type FieldErrors = Record<string, string | undefined>;

interface ErrorShape {
  message?: string;
  data?: {
    code?: string;
    httpStatus?: number;
    zodError?: { fieldErrors?: Record<string, string[] | undefined>; formErrors?: string[] } | null;
    fieldErrors?: Record<string, string | string[] | undefined>;
    field?: string;
  } | null;
}

export function fieldErrors(error: unknown): FieldErrors {
  const out: FieldErrors = {};
  const data = (error as ErrorShape | null)?.data;
  if (!data) return out;
  for (const [k, v] of Object.entries(data.zodError?.fieldErrors ?? {})) if (v?.[0]) out[k] = v[0];
  for (const [k, v] of Object.entries(data.fieldErrors ?? {})) {
    const msg = Array.isArray(v) ? v[0] : v;
    if (msg) out[k] = msg;
  }
  if (data.field && !out[data.field] && (error as ErrorShape).message) out[data.field] = (error as ErrorShape).message;
  return out;
}

/**
 * A message for the whole form: the server's, unless it was only about fields that the form
 * shows inline (`shown`).
 */
export function formError(error: unknown, shown: string[] = []): string | null {
  if (!error) return null;
  const e = error as ErrorShape;
  const keys = Object.keys(fieldErrors(error));
  if (keys.length > 0 && keys.every((k) => shown.includes(k))) return null;
  return e.message || "Something went wrong. Please try again.";
}

export function isNotFound(error: unknown): boolean {
  const code = (error as ErrorShape | null)?.data?.code;
  return code === "NOT_FOUND" || code === "FORBIDDEN";
}
