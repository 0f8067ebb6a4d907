import { type NextRequest, NextResponse } from "next/server";

const SESSION_COOKIES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

function hasSessionCookie(req: NextRequest): boolean {
  return req.cookies.getAll().some((c) => SESSION_COOKIES.some((n) => c.name === n || c.name.startsWith(`${n}.`)));
}

/**
 * An optimistic check only: a visitor without any session cookie is sent to sign in, keeping the
 * page they asked for. The portal layout verifies the session itself.
 */
export function proxy(req: NextRequest) {
  if (hasSessionCookie(req)) return NextResponse.next();
  const url = new URL("/signin", req.url);
  url.searchParams.set("callbackUrl", req.nextUrl.pathname + req.nextUrl.search);
  return NextResponse.redirect(url);
}

export const config = { matcher: ["/dashboard/:path*", "/settings/:path*", "/orgs/:path*"] };
