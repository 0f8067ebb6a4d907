// Re-authentication for sensitive reads (revealing a secret): the password again, valid 10 minutes.
import { getDb } from "@nuage/db";
import { redis } from "@nuage/jobs";
import type { OrgScope } from "../actor.ts";
import { audit } from "../audit.ts";
import { AppError } from "../errors.ts";
import { verifyPassword } from "../password.ts";
import { hit } from "../ratelimit.ts";
import { mutate } from "../tx.ts";

export const REAUTH_SECONDS = 600;
const key = (userId: string) => `nuage:reauth:${userId}`;

export async function reauthenticate(scope: OrgScope, password: string) {
  if (scope.actor.type !== "user") throw new AppError("FORBIDDEN", "Re-authentication is for signed-in users");
  const userId = scope.actor.userId;
  const user = await getDb().user.findUnique({ where: { id: userId }, omit: { passwordHash: false } });
  if (!user?.passwordHash)
    throw new AppError("BAD_REQUEST", "Your account has no password (signed in with GitHub or Google): set one first", {
      field: "password",
    });
  await hit("signin", user.email);
  if (!(await verifyPassword(user.passwordHash, password)))
    throw new AppError("BAD_REQUEST", "The password is not correct", { field: "password" });
  const expiresAt = new Date(Date.now() + REAUTH_SECONDS * 1000);
  await redis().set(key(userId), String(expiresAt.getTime()), "EX", REAUTH_SECONDS);
  await mutate((tx) =>
    audit(tx, scope.actor, { orgId: scope.orgId, action: "user.reauthenticate", targetType: "user", targetId: userId }),
  );
  return { expiresAt };
}

export async function reauthExpiry(userId: string): Promise<Date | null> {
  const v = await redis().get(key(userId));
  const t = Number(v);
  return v && t > Date.now() ? new Date(t) : null;
}
