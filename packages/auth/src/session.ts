import { getServerSession } from "next-auth";
import { decode } from "next-auth/jwt";
import { authOptions } from "./options.ts";

export interface SessionUser {
  userId: string;
  sessionVersion: number;
}

/** For route handlers and server components (App Router): the signed-in user, or null. */
export async function getServerSessionUser(): Promise<SessionUser | null> {
  const s = (await getServerSession(authOptions)) as { userId?: string; sessionVersion?: number } | null;
  return s?.userId ? { userId: s.userId, sessionVersion: s.sessionVersion ?? 0 } : null;
}

const COOKIE_NAMES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

function parseCookies(header: string | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    try {
      out.set(part.slice(0, i).trim(), decodeURIComponent(part.slice(i + 1).trim()));
    } catch {
      // A malformed cookie is ignored.
    }
  }
  return out;
}

/** Reads the next-auth session cookie from request headers (chunked cookies included). */
export async function getSessionFromHeaders(headers: Headers): Promise<SessionUser | null> {
  const secret = process.env.NEXTAUTH_SECRET;
  if (!secret) return null;
  const cookies = parseCookies(headers.get("cookie"));
  for (const name of COOKIE_NAMES) {
    let value = cookies.get(name);
    if (!value) {
      const chunks: string[] = [];
      for (let i = 0; cookies.has(`${name}.${i}`); i++) chunks.push(cookies.get(`${name}.${i}`)!);
      value = chunks.join("") || undefined;
    }
    if (!value) continue;
    try {
      const token = await decode({ token: value, secret });
      if (token && typeof token.userId === "string") {
        return {
          userId: token.userId,
          sessionVersion: typeof token.sessionVersion === "number" ? token.sessionVersion : 0,
        };
      }
    } catch {
      return null;
    }
  }
  return null;
}
