import { startViewAs, VIEW_AS_COOKIE, VIEW_AS_TTL_MS } from "@nuage/core";
import { adminFromRequest, notFoundResponse } from "../_lib/route-guard";

export const dynamic = "force-dynamic";

/** POST (form: orgId) → sets the signed read-only view-as cookie and opens the tenant's dashboard. */
export async function POST(req: Request) {
  const admin = await adminFromRequest(req, "/admin/view-as");
  if (!admin) return notFoundResponse();
  const orgId = String((await req.formData()).get("orgId") ?? "");
  if (!orgId) return new Response("orgId: required", { status: 400 });
  let cookie: string;
  try {
    cookie = (await startViewAs({ type: "user", userId: admin.userId, ip: admin.ip }, orgId)).cookie;
  } catch {
    return notFoundResponse();
  }
  const secure = new URL(req.url).protocol === "https:" ? "; Secure" : "";
  return new Response(null, {
    status: 303,
    headers: {
      location: "/dashboard",
      "set-cookie": `${VIEW_AS_COOKIE}=${encodeURIComponent(cookie)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${VIEW_AS_TTL_MS / 1000}${secure}`,
    },
  });
}
