import { getDb } from "@nuage/db";
import { afterAll, describe, expect, it } from "vitest";
import {
  anonCaller,
  cleanup,
  errorOf,
  PASSWORD,
  signUpUser,
  tokenFromMail,
  track,
  uid,
  userCaller,
} from "./test/helpers.ts";

afterAll(cleanup);

async function invite(role: "admin" | "member" | "viewer" | "billing" = "member") {
  const owner = await signUpUser("inviter");
  const email = `invitee-${uid()}@test.nuage.local`;
  track({ email });
  const inv = await (await userCaller(owner.userId)).invitations.create({ email, role });
  return { owner, email, inv, token: await tokenFromMail(email, "invite") };
}

describe("invitations", () => {
  it("mails a link; the public view names the org, e-mail, role and status", async () => {
    const { owner, email, inv, token } = await invite("viewer");
    expect(inv).toMatchObject({ email, role: "viewer", status: "valid" });
    const view = await (await anonCaller()).invitations.get({ token });
    const org = await (await userCaller(owner.userId)).org.get();
    expect(view).toMatchObject({ orgName: org.name, email, role: "viewer", status: "valid" });
    // Only the hash is stored.
    const row = await getDb().invitation.findUniqueOrThrow({ where: { id: inv.id }, omit: { tokenHash: false } });
    expect(row.tokenHash).not.toContain(token);
  });

  it("is accepted by the signed-in invitee, who then has the role in that org", async () => {
    const { owner, email, token } = await invite("member");
    const invitee = await signUpUser("acceptor");
    // A different account cannot use it.
    const wrong = await errorOf(async () => (await userCaller(invitee.userId)).invitations.accept({ token }));
    expect(wrong).toEqual({
      code: "FORBIDDEN",
      message: `This invitation was sent to ${email}; you are signed in as ${invitee.email}`,
    });
    // The invited address signs up with the token: it joins the inviting org (no new org) and is verified.
    const r = await (await anonCaller()).auth.signUp({
      name: "Invitee",
      email,
      password: PASSWORD,
      invitationToken: token,
    });
    track({ userId: r.userId });
    expect(r).toMatchObject({ orgId: owner.orgId, emailVerified: true });
    const me = await (await userCaller(r.userId)).me.get();
    expect(me.orgs).toEqual([expect.objectContaining({ id: owner.orgId, role: "member" })]);
    const status = await (await anonCaller()).invitations.get({ token });
    expect(status.status).toBe("accepted");
    expect((await errorOf(async () => (await userCaller(r.userId)).invitations.accept({ token }))).message).toBe(
      "This invitation was already accepted",
    );
  });

  it("lets an existing user accept while signed in, and switch org with the header", async () => {
    const owner = await signUpUser("inviter2");
    const existing = await signUpUser("existing");
    await (await userCaller(owner.userId)).invitations.create({ email: existing.email, role: "admin" });
    const token = await tokenFromMail(existing.email, "invite");
    const r = await (await userCaller(existing.userId)).invitations.accept({ token });
    expect(r.orgId).toBe(owner.orgId);
    const me = await (await userCaller(existing.userId)).me.get();
    expect(me.orgs.map((o) => o.id)).toEqual([existing.orgId, owner.orgId]);
    expect(me.currentOrg?.id).toBe(existing.orgId); // oldest membership
    const switched = await userCaller(existing.userId, { org: owner.orgId });
    expect((await switched.org.get()).id).toBe(owner.orgId);
    expect((await switched.org.get()).role).toBe("admin");
  });

  it("refuses expired and revoked invitations with their own messages", async () => {
    const a = await invite();
    await getDb().invitation.update({ where: { id: a.inv.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await (await anonCaller()).invitations.get({ token: a.token })).status).toBe("expired");
    const expired = await errorOf(() =>
      anonCaller().then((c) =>
        c.auth.signUp({ name: "Late", email: a.email, password: PASSWORD, invitationToken: a.token }),
      ),
    );
    expect(expired.message).toBe("This invitation has expired; ask for a new one");

    const b = await invite();
    const revoked = await (await userCaller(b.owner.userId)).invitations.revoke({ id: b.inv.id });
    expect(revoked.status).toBe("revoked");
    const invitee = await (await anonCaller()).auth.signUp({
      name: "Late",
      email: b.email,
      password: PASSWORD,
      orgName: "Own org",
    });
    track({ userId: invitee.userId });
    expect(
      (await errorOf(async () => (await userCaller(invitee.userId)).invitations.accept({ token: b.token }))).message,
    ).toBe("This invitation was revoked");
  });

  it("refuses an invitation signed up with another e-mail address", async () => {
    const { token } = await invite();
    const err = await errorOf(() =>
      anonCaller().then((c) =>
        c.auth.signUp({
          name: "Other",
          email: `other-${uid()}@test.nuage.local`,
          password: PASSWORD,
          invitationToken: token,
        }),
      ),
    );
    expect(err).toEqual({ code: "BAD_REQUEST", message: "This invitation was sent to another e-mail address" });
  });

  it("is refused to a viewer with a clear message", async () => {
    const { owner, email, token } = await invite("viewer");
    const r = await (await anonCaller()).auth.signUp({ name: "V", email, password: PASSWORD, invitationToken: token });
    track({ userId: r.userId });
    const viewer = await userCaller(r.userId);
    expect(await errorOf(() => viewer.invitations.create({ email: `x-${uid()}@t.local`, role: "member" }))).toEqual({
      code: "FORBIDDEN",
      message: "Your role (viewer) cannot invite members",
    });
    expect((await viewer.members.list()).map((m) => m.userId).sort()).toEqual([owner.userId, r.userId].sort());
  });
});
