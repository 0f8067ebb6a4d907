// One mapping from domain errors to tRPC codes (and so to HTTP statuses in REST), and one error
// shape for clients: a clear message, the field when known, never a stack trace.
import { AppError, type AppErrorCode } from "@nuage/core";
import { TRPCError } from "@trpc/server";
import { ZodError } from "zod";

const CODES: Record<AppErrorCode, TRPCError["code"]> = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};

export function zodMessage(e: ZodError): { message: string; field?: string } {
  const first = e.issues[0];
  const field = first?.path.length ? first.path.join(".") : undefined;
  const message = e.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
  return { message: message || "Invalid input", field };
}

/** Converts whatever a procedure threw into a TRPCError with the right code. */
export function toTRPCError(e: unknown): TRPCError {
  if (e instanceof TRPCError) {
    if (e.cause instanceof AppError) return toTRPCError(e.cause);
    return e;
  }
  if (e instanceof AppError) return new TRPCError({ code: CODES[e.code], message: e.message, cause: e });
  if (e instanceof ZodError) return new TRPCError({ code: "BAD_REQUEST", message: zodMessage(e).message, cause: e });
  return new TRPCError({
    code: "INTERNAL_SERVER_ERROR",
    message: "Something went wrong on our side",
    cause: e instanceof Error ? e : undefined,
  });
}

export interface ErrorData {
  field?: string;
  fieldErrors?: Record<string, string>;
  retryAfterSeconds?: number;
}

/** Extra `data` for the error shape; messages of internal errors are replaced. */
export function errorExtras(error: TRPCError): { message: string; data: ErrorData } {
  const cause = error.cause;
  if (cause instanceof AppError) {
    return { message: cause.message, data: { field: cause.field, retryAfterSeconds: cause.retryAfterSeconds } };
  }
  if (cause instanceof ZodError) {
    const { message, field } = zodMessage(cause);
    const fieldErrors: Record<string, string> = {};
    for (const i of cause.issues) {
      const k = i.path.join(".") || "_";
      fieldErrors[k] ??= i.message;
    }
    return { message, data: { field, fieldErrors } };
  }
  if (error.code === "INTERNAL_SERVER_ERROR") return { message: "Something went wrong on our side", data: {} };
  return { message: error.message, data: {} };
}
