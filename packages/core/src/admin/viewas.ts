// "View as tenant": a platform admin reads the portal as one org sees it. A signed, short-lived
// cookie (HMAC of user id, org id and expiry with NEXTAUTH_SECRET) that the tRPC ladder honours
// for reads only; every mutation is refused while it is set. Starting and ending it are audited.
import { createHmac, timingSafeEqual } from "node:crypto";
import { getDb } from "@nuage/db";
import type { Actor } from "../actor.ts";
import { audit } from "../audit.ts";
import { AppError } from "../errors.ts";
import { mutate } from "../tx.ts";

export const VIEW_AS_COOKIE = "nuage_view_as";
export const VIEW_AS_TTL_MS = 60 * 60_000;

function secret(): string {
  const s = process.env.NEXTAUTH_SECRET;
  if (!s) throw new Error("NEXTAUTH_SECRET is required to sign view-as cookies");
  return s;
}

function mac(payload: string): string {
  return createHmac("sha256", secret()).update(`view-as:${payload}`).digest("base64url");
}

export function signViewAs(userId: string, orgId: string, expiresAt: number): string {
  const payload = `${userId}.${orgId}.${expiresAt}`;
  return `${payload}.${mac(payload)}`;
}

/** The org id the cookie names, when it is valid for this user and not expired; else null. */
export function verifyViewAs(value: string | null | undefined, userId: string): string | null {
  if (!value) return null;
  const parts = value.split(".");
  if (parts.length !== 4) return null;
  const [uid, orgId, exp, sig] = parts as [string, string, string, string];
  const want = Buffer.from(mac(`${uid}.${orgId}.${exp}`));
  const got = Buffer.from(sig);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
  if (uid !== userId || !(Number(exp) > Date.now())) return null;
  return orgId;
}

export async function startViewAs(actor: Actor & { type: "user" }, orgId: string) {
  const org = await getDb().org.findUnique({ where: { id: orgId }, select: { id: true, name: true, deletedAt: true } });
  if (!org || org.deletedAt) throw new AppError("NOT_FOUND", "Organization not found");
  await mutate((tx) => audit(tx, actor, { orgId, action: "admin.view_as.start", targetType: "org", targetId: orgId }));
  const expiresAt = Date.now() + VIEW_AS_TTL_MS;
  return { cookie: signViewAs(actor.userId, orgId, expiresAt), expiresAt: new Date(expiresAt), orgName: org.name };
}

export async function endViewAs(actor: Actor, orgId: string | null) {
  await mutate((tx) => audit(tx, actor, { orgId, action: "admin.view_as.end", targetType: "org", targetId: orgId }));
}
