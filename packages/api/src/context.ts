// The request context. Authentication happens here once:
// - `Authorization: Bearer nuage_…` → an API token (org-scoped, scope read/write);
// - otherwise the session: `session` when the caller passes it (route handler that already read it),
//   or, when `session` is left undefined, the next-auth JWT cookie read from `headers`.
// The org itself is resolved in the procedure ladder (orgProcedure), never from input.
import { getSessionFromHeaders } from "@nuage/auth";
import { AppError, authenticateApiToken, getUser, type TokenPrincipal } from "@nuage/core";

export interface ContextUser {
  id: string;
  email: string;
  name: string;
  emailVerified: Date | null;
  isPlatformAdmin: boolean;
}

export interface Context {
  headers: Headers;
  ip: string | null;
  user: ContextUser | null;
  token: TokenPrincipal | null;
  /** Why authentication failed (bad token, ended session): thrown by protected procedures. */
  authError: AppError | null;
}

export interface CreateContextOptions {
  headers: Headers;
  /** undefined: read the session cookie from headers; null: no session (REST). */
  session?: { userId: string; sessionVersion?: number } | null;
}

export function clientIp(headers: Headers): string | null {
  const fwd = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return fwd || headers.get("x-real-ip") || null;
}

export async function createTRPCContext(opts: CreateContextOptions): Promise<Context> {
  const { headers } = opts;
  const ip = clientIp(headers);
  const ctx: Context = { headers, ip, user: null, token: null, authError: null };
  const auth = headers.get("authorization");
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (!m) {
      ctx.authError = new AppError("UNAUTHORIZED", "Malformed Authorization header: use Authorization: Bearer nuage_…");
      return ctx;
    }
    try {
      ctx.token = await authenticateApiToken(m[1]!.trim(), { ip });
    } catch (e) {
      if (e instanceof AppError) ctx.authError = e;
      else throw e;
    }
    return ctx;
  }
  const session = opts.session === undefined ? await getSessionFromHeaders(headers) : opts.session;
  if (session?.userId) {
    const user = await getUser(session.userId);
    if (!user) {
      ctx.authError = new AppError("UNAUTHORIZED", "Your session has ended; sign in again");
    } else if (session.sessionVersion !== undefined && session.sessionVersion !== user.sessionVersion) {
      ctx.authError = new AppError("UNAUTHORIZED", "Your password was changed; sign in again");
    } else {
      ctx.user = {
        id: user.id,
        email: user.email,
        name: user.name,
        emailVerified: user.emailVerified,
        isPlatformAdmin: user.isPlatformAdmin,
      };
    }
  }
  return ctx;
}
