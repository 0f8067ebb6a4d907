import { recordAdminDenied } from "@nuage/core";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import type { Me } from "~/lib/me";
import { getMe } from "~/lib/me-server";
import { getSession } from "~/lib/session";

/**
 * The admin console exists only for platform admins: anyone else gets the ordinary 404 page
 * (never a 403 that would reveal it), and a signed-in user's attempt is audited.
 */
export async function requireAdminPage(path: string): Promise<Me> {
  if (!(await getSession())) notFound();
  let me: Me;
  try {
    me = await getMe();
  } catch {
    notFound();
  }
  if (!me.user.isPlatformAdmin) {
    const h = await headers();
    const ip = h.get("x-forwarded-for")?.split(",")[0]?.trim() || h.get("x-real-ip") || null;
    await recordAdminDenied({ type: "user", userId: me.user.id, ip }, { kind: "page", path });
    notFound();
  }
  return me;
}
