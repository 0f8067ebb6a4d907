import { authenticate } from "@nuage/core";
import { getDb } from "@nuage/db";
import { afterAll, describe, expect, it } from "vitest";
import { createTRPCContext } from "./context.ts";
import { createCaller } from "./root.ts";
import {
  anonCaller,
  cleanup,
  errorOf,
  lastMailTo,
  PASSWORD,
  signUpUser,
  tokenFromMail,
  uid,
  userCaller,
} from "./test/helpers.ts";

afterAll(cleanup);

describe("sign-up, e-mail verification and password reset", () => {
  it("signs up a user with their org as owner, unverified, with a verification mail in the outbox", async () => {
    const u = await signUpUser("signup");
    const me = await (await userCaller(u.userId)).me.get();
    expect(me.user.email).toBe(u.email);
    expect(me.user.emailVerified).toBe(false);
    expect(me.orgs).toEqual([expect.objectContaining({ id: u.orgId, role: "owner" })]);
    expect(me.currentOrg?.id).toBe(u.orgId);
    const mail = await lastMailTo(u.email);
    expect(mail.subject).toMatch(/Verify your e-mail/);
    expect(mail.text).toMatch(/\/verify-email\?token=/);
    expect(mail.status).toBe("pending");
  });

  it("refuses a duplicate e-mail, a weak password and a missing org name, naming the field", async () => {
    const u = await signUpUser("dup");
    const anon = await anonCaller();
    const dup = await errorOf(() =>
      anon.auth.signUp({ name: "X", email: u.email.toUpperCase(), password: PASSWORD, orgName: "Org" }),
    );
    expect(dup).toEqual({ code: "CONFLICT", message: expect.stringMatching(/already exists/) });
    const weak = await errorOf(() =>
      anon.auth.signUp({ name: "X", email: `w-${uid()}@t.local`, password: "short", orgName: "Org" }),
    );
    expect(weak.code).toBe("BAD_REQUEST");
    expect(weak.message).toMatch(/^password: Password must be 10 to 128 characters/);
    const noOrg = await errorOf(() => anon.auth.signUp({ name: "X", email: `o-${uid()}@t.local`, password: PASSWORD }));
    expect(noOrg.message).toMatch(/Organization name/);
  });

  it("verifies the e-mail once with the mailed link", async () => {
    const u = await signUpUser("verify");
    const token = await tokenFromMail(u.email, "verify-email");
    const anon = await anonCaller();
    await expect(anon.auth.verifyEmail({ token })).resolves.toEqual({ ok: true });
    expect((await (await userCaller(u.userId)).me.get()).user.emailVerified).toBe(true);
    expect((await errorOf(() => anon.auth.verifyEmail({ token }))).message).toBe(
      "This verification link was already used",
    );
    expect((await errorOf(() => anon.auth.verifyEmail({ token: "x".repeat(43) }))).message).toBe(
      "This verification link is invalid",
    );
  });

  it("resends verification only to unverified users", async () => {
    const u = await signUpUser("resend");
    const caller = await userCaller(u.userId);
    const first = await tokenFromMail(u.email, "verify-email");
    await caller.auth.resendVerification();
    const second = await tokenFromMail(u.email, "verify-email");
    expect(second).not.toBe(first);
    await (await anonCaller()).auth.verifyEmail({ token: second });
    expect((await errorOf(() => caller.auth.resendVerification())).message).toBe(
      "Your e-mail address is already verified",
    );
  });

  it("resets the password with the mailed link, answering the same for unknown addresses", async () => {
    const u = await signUpUser("reset");
    const anon = await anonCaller();
    await expect(anon.auth.requestPasswordReset({ email: `nobody-${uid()}@t.local` })).resolves.toEqual({ ok: true });
    await expect(anon.auth.requestPasswordReset({ email: u.email })).resolves.toEqual({ ok: true });
    const token = await tokenFromMail(u.email, "reset-password");
    const weak = await errorOf(() => anon.auth.resetPassword({ token, password: "123" }));
    expect(weak.message).toMatch(/^password: /);
    await anon.auth.resetPassword({ token, password: "a-new-password-77" });
    await expect(authenticate(u.email, "a-new-password-77")).resolves.toMatchObject({ id: u.userId });
    await expect(authenticate(u.email, PASSWORD)).rejects.toThrow("Wrong e-mail or password");
    expect((await errorOf(() => anon.auth.resetPassword({ token, password: "another-pass-88" }))).message).toBe(
      "This password reset link was already used",
    );
  });

  it("refuses an expired reset link with its own message", async () => {
    const u = await signUpUser("expired-reset");
    const anon = await anonCaller();
    await anon.auth.requestPasswordReset({ email: u.email });
    const token = await tokenFromMail(u.email, "reset-password");
    await getDb().emailToken.updateMany({
      where: { userId: u.userId, kind: "reset" },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await errorOf(() => anon.auth.resetPassword({ token, password: "a-new-password-77" }))).message).toBe(
      "This password reset link has expired; ask for a new one",
    );
  });

  it("ends older sessions after a password reset", async () => {
    const u = await signUpUser("session");
    const anon = await anonCaller();
    await anon.auth.requestPasswordReset({ email: u.email });
    await anon.auth.resetPassword({
      token: await tokenFromMail(u.email, "reset-password"),
      password: "a-new-password-77",
    });
    const stale = createCaller(
      await createTRPCContext({ headers: new Headers(), session: { userId: u.userId, sessionVersion: 0 } }),
    );
    expect(await errorOf(() => stale.me.get())).toEqual({
      code: "UNAUTHORIZED",
      message: "Your password was changed; sign in again",
    });
  });
});

describe("profile and password change", () => {
  it("renames the user and changes the password, ending the session", async () => {
    const u = await signUpUser("profile");
    const c = await userCaller(u.userId);
    await expect(c.me.update({ name: "New Name" })).resolves.toMatchObject({ name: "New Name" });
    expect((await (await userCaller(u.userId)).me.get()).user.name).toBe("New Name");
    expect(
      await errorOf(() => c.me.changePassword({ currentPassword: "not-it-123", newPassword: "another-pass-99" })),
    ).toEqual({
      code: "BAD_REQUEST",
      message: "Current password is wrong",
    });
    expect(
      (await errorOf(() => c.me.changePassword({ currentPassword: PASSWORD, newPassword: "short" }))).message,
    ).toMatch(/^newPassword: Password must be/);
    await c.me.changePassword({ currentPassword: PASSWORD, newPassword: "another-pass-99" });
    await expect(authenticate(u.email, "another-pass-99")).resolves.toMatchObject({ id: u.userId });
    const old = createCaller(
      await createTRPCContext({ headers: new Headers(), session: { userId: u.userId, sessionVersion: 0 } }),
    );
    expect((await errorOf(() => old.me.get())).code).toBe("UNAUTHORIZED");
  });
});
