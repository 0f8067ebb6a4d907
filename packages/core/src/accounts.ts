// Accounts: sign-up, e-mail verification, password reset, credential sign-in.
import { getDb, isUniqueViolation, type Tx } from "@nuage/db";
import type { Actor } from "./actor.ts";
import { audit } from "./audit.ts";
import { AppError } from "./errors.ts";
import { acceptInvitationInTx, findInvitationByToken, invitationProblem, invitationStatus } from "./invitations.ts";
import { queueMail } from "./mail/outbox.ts";
import { resetPasswordMail, verifyEmailMail } from "./mail/templates.ts";
import { burnPasswordTime, hashPassword, verifyPassword } from "./password.ts";
import * as rl from "./ratelimit.ts";
import { type TSignUpInput, ZOrgName, ZPassword, ZSignUpInput } from "./schemas.ts";
import { hashToken, randomToken } from "./secrets.ts";
import type { AfterCommit } from "./tx.ts";
import { mutate } from "./tx.ts";

const VERIFY_TTL_MS = 48 * 3600_000;
const RESET_TTL_MS = 3600_000;

async function issueEmailToken(tx: Tx, userId: string, kind: "verify" | "reset"): Promise<string> {
  const token = randomToken();
  await tx.emailToken.create({
    data: {
      userId,
      kind,
      tokenHash: hashToken(token),
      expiresAt: new Date(Date.now() + (kind === "verify" ? VERIFY_TTL_MS : RESET_TTL_MS)),
    },
  });
  return token;
}

export async function sendVerificationInTx(
  tx: Tx,
  after: AfterCommit,
  user: { id: string; email: string; name: string },
) {
  const token = await issueEmailToken(tx, user.id, "verify");
  await queueMail(tx, after, verifyEmailMail(user.email, user.name, token));
}

export interface SignUpResult {
  userId: string;
  orgId: string;
  emailVerified: boolean;
}

/**
 * Creates a user. Without an invitation it also creates their organization (they are its owner).
 * With an invitation token the user joins the inviting organization instead, and since the link
 * reached their inbox their e-mail counts as verified.
 */
export async function signUp(raw: TSignUpInput, meta: { ip?: string | null } = {}): Promise<SignUpResult> {
  const input = ZSignUpInput.parse(raw);
  await rl.hit("signup", meta.ip || "unknown");
  const invitation = input.invitationToken ? await findInvitationByToken(input.invitationToken) : null;
  if (invitation) {
    const status = invitationStatus(invitation);
    if (status !== "valid") throw invitationProblem(status);
    if (invitation.email !== input.email) {
      throw new AppError("BAD_REQUEST", "This invitation was sent to another e-mail address", { field: "email" });
    }
  } else if (input.invitationToken) {
    throw new AppError("NOT_FOUND", "This invitation link is invalid", { field: "invitationToken" });
  }
  const orgName = invitation ? null : ZOrgName.safeParse(input.orgName ?? "");
  if (orgName && !orgName.success) {
    throw new AppError("BAD_REQUEST", orgName.error.issues[0]?.message ?? "Organization name is required", {
      field: "orgName",
    });
  }
  const existing = await getDb().user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (existing) throw duplicateEmail();
  const passwordHash = await hashPassword(input.password);
  try {
    return await mutate(async (tx, after) => {
      const user = await tx.user.create({
        data: {
          email: input.email,
          name: input.name,
          passwordHash,
          emailVerified: invitation ? new Date() : null,
        },
      });
      const actor: Actor = { type: "user", userId: user.id, ip: meta.ip };
      let orgId: string;
      if (invitation) {
        orgId = await acceptInvitationInTx(tx, invitation, user.id, actor);
      } else {
        const org = await tx.org.create({ data: { name: orgName!.data! } });
        await tx.membership.create({ data: { orgId: org.id, userId: user.id, role: "owner" } });
        orgId = org.id;
        await audit(tx, actor, { orgId, action: "org.create", targetType: "org", targetId: org.id });
        await sendVerificationInTx(tx, after, user);
      }
      await audit(tx, actor, { orgId, action: "user.signup", targetType: "user", targetId: user.id });
      return { userId: user.id, orgId, emailVerified: !!user.emailVerified };
    });
  } catch (e) {
    if (isUniqueViolation(e, "email")) throw duplicateEmail();
    throw e;
  }
}

function duplicateEmail() {
  return new AppError("CONFLICT", "An account with this e-mail address already exists; sign in instead", {
    field: "email",
  });
}

async function consumeEmailToken(tx: Tx, token: string, kind: "verify" | "reset") {
  const what = kind === "verify" ? "verification" : "password reset";
  const row = await tx.emailToken.findUnique({ where: { tokenHash: hashToken(token) } });
  if (!row || row.kind !== kind) throw new AppError("BAD_REQUEST", `This ${what} link is invalid`, { field: "token" });
  if (row.usedAt) throw new AppError("BAD_REQUEST", `This ${what} link was already used`, { field: "token" });
  if (row.expiresAt <= new Date()) {
    throw new AppError("BAD_REQUEST", `This ${what} link has expired; ask for a new one`, { field: "token" });
  }
  // Conditional update: two concurrent uses cannot both succeed.
  const used = await tx.emailToken.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: new Date() } });
  if (used.count !== 1) throw new AppError("BAD_REQUEST", `This ${what} link was already used`, { field: "token" });
  return row;
}

export async function verifyEmail(token: string, meta: { ip?: string | null } = {}): Promise<{ ok: true }> {
  return mutate(async (tx) => {
    const row = await consumeEmailToken(tx, token, "verify");
    await tx.user.update({ where: { id: row.userId }, data: { emailVerified: new Date() } });
    await audit(
      tx,
      { type: "user", userId: row.userId, ip: meta.ip },
      {
        orgId: null,
        action: "user.verify_email",
        targetType: "user",
        targetId: row.userId,
      },
    );
    return { ok: true as const };
  });
}

export async function resendVerification(userId: string, meta: { ip?: string | null } = {}): Promise<{ ok: true }> {
  const user = await getDb().user.findUnique({ where: { id: userId } });
  if (!user) throw new AppError("UNAUTHORIZED", "Your session has ended; sign in again");
  if (user.emailVerified) throw new AppError("BAD_REQUEST", "Your e-mail address is already verified");
  await rl.hit("reset", `verify:${user.email}`);
  await mutate(async (tx, after) => {
    await sendVerificationInTx(tx, after, user);
    await audit(
      tx,
      { type: "user", userId, ip: meta.ip },
      {
        orgId: null,
        action: "user.resend_verification",
        targetType: "user",
        targetId: userId,
      },
    );
  });
  return { ok: true };
}

/** Always answers the same, whether the account exists or not. */
export async function requestPasswordReset(email: string, meta: { ip?: string | null } = {}): Promise<{ ok: true }> {
  const addr = email.trim().toLowerCase();
  await rl.hit("reset", `reset:${addr}`);
  // Per client address too, with more room (one office, many people).
  await rl.hit("reset", `reset-ip:${meta.ip || "unknown"}`, 10);
  const user = await getDb().user.findUnique({ where: { email: addr } });
  if (user) {
    await mutate(async (tx, after) => {
      const token = await issueEmailToken(tx, user.id, "reset");
      await queueMail(tx, after, resetPasswordMail(user.email, user.name, token));
      await audit(
        tx,
        { type: "system" },
        {
          orgId: null,
          action: "user.request_password_reset",
          targetType: "user",
          targetId: user.id,
        },
      );
    });
  }
  return { ok: true };
}

export async function resetPassword(token: string, password: string, meta: { ip?: string | null } = {}) {
  const parsed = ZPassword.safeParse(password);
  if (!parsed.success) throw new AppError("BAD_REQUEST", parsed.error.issues[0]!.message, { field: "password" });
  const passwordHash = await hashPassword(password);
  return mutate(async (tx) => {
    const row = await consumeEmailToken(tx, token, "reset");
    const before = await tx.user.findUniqueOrThrow({ where: { id: row.userId }, select: { emailVerified: true } });
    const user = await tx.user.update({
      where: { id: row.userId },
      // The link reached the inbox: the address is verified. Older sessions are ended.
      data: { passwordHash, sessionVersion: { increment: 1 }, emailVerified: before.emailVerified ?? new Date() },
    });
    await tx.emailToken.updateMany({
      where: { userId: user.id, kind: "reset", usedAt: null },
      data: { usedAt: new Date() },
    });
    await audit(
      tx,
      { type: "user", userId: user.id, ip: meta.ip },
      {
        orgId: null,
        action: "user.reset_password",
        targetType: "user",
        targetId: user.id,
      },
    );
    return { ok: true as const, email: user.email };
  });
}

export interface SignedInUser {
  id: string;
  email: string;
  name: string;
  sessionVersion: number;
}

/** Credential sign-in. Rate limited per e-mail address; one message for unknown e-mail and wrong password. */
export async function authenticate(
  email: string,
  password: string,
  _meta: { ip?: string | null } = {},
): Promise<SignedInUser> {
  const addr = (email ?? "").trim().toLowerCase();
  if (!addr) throw new AppError("BAD_REQUEST", "Enter your e-mail address", { field: "email" });
  if (!password) throw new AppError("BAD_REQUEST", "Enter your password", { field: "password" });
  // Per account: guessing one password is what the limit stops. (Per-IP limits would lock out
  // everyone behind one NAT.)
  await rl.hit("signin", addr);
  const user = await getDb().user.findUnique({ where: { email: addr }, omit: { passwordHash: false } });
  if (!user?.passwordHash) {
    await burnPasswordTime(password);
    throw new AppError("UNAUTHORIZED", "Wrong e-mail or password");
  }
  if (!(await verifyPassword(user.passwordHash, password)))
    throw new AppError("UNAUTHORIZED", "Wrong e-mail or password");
  return { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion };
}

/** Guard for actions that need a verified e-mail (creating clusters). */
export function assertVerified(user: { emailVerified: Date | null | boolean }): void {
  if (!user.emailVerified) {
    throw new AppError("FORBIDDEN", "Verify your e-mail address first: we sent you a link (you can ask for a new one)");
  }
}

/**
 * Changes the password of a signed-in user who knows the current one. Every session of the user
 * ends, the current one included: the portal signs in again.
 */
export async function changePassword(
  userId: string,
  input: { currentPassword: string; newPassword: string },
  meta: { ip?: string | null } = {},
): Promise<{ ok: true }> {
  const user = await getDb().user.findUnique({ where: { id: userId }, omit: { passwordHash: false } });
  if (!user) throw new AppError("UNAUTHORIZED", "Your session has ended; sign in again");
  await rl.hit("signin", user.email);
  if (!user.passwordHash || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw new AppError("BAD_REQUEST", "Current password is wrong", { field: "currentPassword" });
  }
  const parsed = ZPassword.safeParse(input.newPassword);
  if (!parsed.success) throw new AppError("BAD_REQUEST", parsed.error.issues[0]!.message, { field: "newPassword" });
  const passwordHash = await hashPassword(input.newPassword);
  await mutate(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { passwordHash, sessionVersion: { increment: 1 } } });
    await audit(
      tx,
      { type: "user", userId, ip: meta.ip },
      { orgId: null, action: "user.change_password", targetType: "user", targetId: userId },
    );
  });
  return { ok: true };
}

export async function updateProfile(userId: string, input: { name: string }, meta: { ip?: string | null } = {}) {
  return mutate(async (tx) => {
    const user = await tx.user.update({
      where: { id: userId },
      data: { name: input.name },
      select: { id: true, name: true },
    });
    await audit(
      tx,
      { type: "user", userId, ip: meta.ip },
      { orgId: null, action: "user.update", targetType: "user", targetId: userId },
    );
    return user;
  });
}
