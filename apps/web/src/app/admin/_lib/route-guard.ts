import { getSessionFromHeaders } from "@nuage/auth";
import { getUser, recordAdminDenied } from "@nuage/core";

/**
 * Route handlers under /admin are outside the layout's check: the same rule here. Returns the
 * platform admin's id, or null after auditing a signed-in user's attempt (answer 404 then).
 */
export async function adminFromRequest(
  req: Request,
  path: string,
): Promise<{ userId: string; ip: string | null } | null> {
  const ip = req.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || req.headers.get("x-real-ip") || null;
  const session = await getSessionFromHeaders(req.headers);
  if (!session?.userId) return null;
  const user = await getUser(session.userId);
  if (!user || (session.sessionVersion !== undefined && session.sessionVersion !== user.sessionVersion)) return null;
  if (!user.isPlatformAdmin) {
    await recordAdminDenied({ type: "user", userId: user.id, ip }, { kind: "page", path });
    return null;
  }
  return { userId: user.id, ip };
}

export function notFoundResponse(): Response {
  return new Response("Not found", { status: 404, headers: { "content-type": "text/plain" } });
}
