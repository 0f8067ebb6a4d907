import { endViewAs, VIEW_AS_COOKIE, verifyViewAs } from "@nuage/core";
import { adminFromRequest, notFoundResponse } from "../../_lib/route-guard";

export const dynamic = "force-dynamic";

function cookieValue(req: Request, name: string): string | null {
  for (const part of (req.headers.get("cookie") ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}

/** POST → clears the view-as cookie and goes back to the tenant's admin page. */
export async function POST(req: Request) {
  const admin = await adminFromRequest(req, "/admin/view-as/end");
  if (!admin) return notFoundResponse();
  const orgId = verifyViewAs(cookieValue(req, VIEW_AS_COOKIE), admin.userId);
  await endViewAs({ type: "user", userId: admin.userId, ip: admin.ip }, orgId);
  return new Response(null, {
    status: 303,
    headers: {
      location: orgId ? `/admin/tenants/${orgId}` : "/admin/tenants",
      "set-cookie": `${VIEW_AS_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`,
    },
  });
}
