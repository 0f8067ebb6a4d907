// Users from the operator's side: the first platform admin, CLI-created users, OAuth sign-in.
import { getDb, isUniqueViolation } from "@nuage/db";
import type { Actor } from "./actor.ts";
import { audit } from "./audit.ts";
import { AppError } from "./errors.ts";
import { hashPassword, ZPassword } from "./password.ts";
import { ZEmail, ZName, ZOrgName } from "./schemas.ts";
import { randomToken } from "./secrets.ts";
import { mutate } from "./tx.ts";

export async function getUser(userId: string) {
  const u = await getDb().user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, name: true, emailVerified: true, isPlatformAdmin: true, sessionVersion: true },
  });
  return u;
}

function parseField<T>(
  schema: {
    safeParse: (
      v: unknown,
    ) => { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
  },
  value: unknown,
  field: string,
): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new AppError("BAD_REQUEST", r.error.issues[0]?.message ?? `Invalid ${field}`, { field });
  return r.data;
}

export interface CreateUserInput {
  email: string;
  password: string;
  name?: string;
  orgName?: string;
  verified?: boolean;
  platformAdmin?: boolean;
}

/** Creates a user (and an org they own when `orgName` is given). Used by the operator CLI and first-admin. */
export async function createUser(input: CreateUserInput, actor: Actor = { type: "operator-cli" }) {
  const email = parseField(ZEmail, input.email, "email");
  const password = parseField(ZPassword, input.password, "password");
  const name = parseField(ZName, input.name ?? email.split("@")[0], "name");
  const orgName = input.orgName === undefined ? undefined : parseField(ZOrgName, input.orgName, "org");
  if (await getDb().user.findUnique({ where: { email }, select: { id: true } })) {
    throw new AppError("CONFLICT", "An account with this e-mail address already exists", { field: "email" });
  }
  const passwordHash = await hashPassword(password);
  try {
    return await mutate(async (tx) => {
      const user = await tx.user.create({
        data: {
          email,
          name,
          passwordHash,
          emailVerified: input.verified ? new Date() : null,
          isPlatformAdmin: !!input.platformAdmin,
        },
      });
      let orgId: string | null = null;
      if (orgName) {
        const org = await tx.org.create({ data: { name: orgName } });
        await tx.membership.create({ data: { orgId: org.id, userId: user.id, role: "owner" } });
        orgId = org.id;
        await audit(tx, actor, { orgId, action: "org.create", targetType: "org", targetId: org.id });
      }
      await audit(tx, actor, {
        orgId,
        action: "user.create",
        targetType: "user",
        targetId: user.id,
        metadata: { platformAdmin: !!input.platformAdmin },
      });
      return { id: user.id, email: user.email, orgId };
    });
  } catch (e) {
    if (isUniqueViolation(e, "email")) {
      throw new AppError("CONFLICT", "An account with this e-mail address already exists", { field: "email" });
    }
    throw e;
  }
}

export async function setPassword(emailRaw: string, password: string, actor: Actor = { type: "operator-cli" }) {
  const email = parseField(ZEmail, emailRaw, "email");
  parseField(ZPassword, password, "password");
  const user = await getDb().user.findUnique({ where: { email } });
  if (!user) throw new AppError("NOT_FOUND", `No user with the e-mail address ${email}`, { field: "email" });
  const passwordHash = await hashPassword(password);
  await mutate(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { passwordHash, sessionVersion: { increment: 1 } } });
    await audit(tx, actor, { orgId: null, action: "user.reset_password", targetType: "user", targetId: user.id });
  });
  return { id: user.id, email };
}

/**
 * Makes sure a platform admin exists. Creates one when none does, from the given e-mail/password,
 * or with `admin@nuage.local` and a generated password returned once.
 */
export async function ensureFirstAdmin(opts: { email?: string; password?: string } = {}) {
  const db = getDb();
  const existing = await db.user.findFirst({ where: { isPlatformAdmin: true }, select: { email: true } });
  if (existing) return { created: false as const, email: existing.email };
  const email = opts.email || "admin@nuage.local";
  const generated = opts.password ? undefined : `${randomToken(12)}7a`;
  const password = opts.password || generated!;
  const known = await db.user.findUnique({ where: { email: email.toLowerCase() } });
  if (known) {
    // An account with that address exists: promote it rather than fail.
    await mutate(async (tx) => {
      await tx.user.update({ where: { id: known.id }, data: { isPlatformAdmin: true } });
      await audit(
        tx,
        { type: "system" },
        { orgId: null, action: "user.promote_platform_admin", targetType: "user", targetId: known.id },
      );
    });
    return { created: true as const, email: known.email, generatedPassword: undefined };
  }
  const user = await createUser(
    { email, password, name: "Platform admin", verified: true, platformAdmin: true },
    { type: "system" },
  );
  return { created: true as const, email: user.email, generatedPassword: generated };
}

/** OAuth sign-in: finds the linked account, or links/creates a user by verified e-mail (with an org). */
export async function upsertOAuthUser(input: {
  provider: string;
  providerAccountId: string;
  email: string;
  name?: string | null;
}) {
  const db = getDb();
  const linked = await db.account.findUnique({
    where: { provider_providerAccountId: { provider: input.provider, providerAccountId: input.providerAccountId } },
    include: { user: true },
  });
  if (linked) return linked.user;
  const email = parseField(ZEmail, input.email, "email");
  return mutate(async (tx) => {
    let user = await tx.user.findUnique({ where: { email } });
    if (!user) {
      const name = (input.name ?? "").trim() || email.split("@")[0]!;
      user = await tx.user.create({ data: { email, name, emailVerified: new Date() } });
      const org = await tx.org.create({ data: { name: `${name}'s organization`.slice(0, 100) } });
      await tx.membership.create({ data: { orgId: org.id, userId: user.id, role: "owner" } });
      await audit(
        tx,
        { type: "user", userId: user.id },
        {
          orgId: org.id,
          action: "user.signup",
          targetType: "user",
          targetId: user.id,
          metadata: { provider: input.provider },
        },
      );
    } else if (!user.emailVerified) {
      user = await tx.user.update({ where: { id: user.id }, data: { emailVerified: new Date() } });
    }
    await tx.account.create({
      data: { userId: user.id, provider: input.provider, providerAccountId: input.providerAccountId },
    });
    return user;
  });
}
