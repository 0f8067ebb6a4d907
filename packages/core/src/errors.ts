// Typed domain errors. The API layer maps `code` to tRPC/HTTP codes once (packages/api/src/trpc.ts).
export type AppErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "TOO_MANY_REQUESTS"
  | "INTERNAL";

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly field?: string;
  readonly retryAfterSeconds?: number;
  constructor(code: AppErrorCode, message: string, opts: { field?: string; retryAfterSeconds?: number } = {}) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.field = opts.field;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
}

export const notFound = (what: string) => new AppError("NOT_FOUND", `${what} not found`);
export const badInput = (field: string, message: string) => new AppError("BAD_REQUEST", message, { field });
