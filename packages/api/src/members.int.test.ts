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

/** An org with its owner and a second member of the given role. */
async function orgWithMember(role: "owner" | "admin" | "member" | "viewer") {
  const owner = await signUpUser("owner");
  const email = `member-${uid()}@test.nuage.local`;
  track({ email });
  await (await userCaller(owner.userId)).invitations.create({ email, role });
  const token = await tokenFromMail(email, "invite");
  const r = await (await anonCaller()).auth.signUp({ name: "M", email, password: PASSWORD, invitationToken: token });
  track({ userId: r.userId });
  return { owner, memberId: r.userId };
}

describe("members and the last-owner rules", () => {
  it("the last owner can neither leave nor be demoted", async () => {
    const { owner, memberId } = await orgWithMember("admin");
    const o = await userCaller(owner.userId);
    expect(await errorOf(() => o.members.leave())).toEqual({
      code: "BAD_REQUEST",
      message: "You are the last owner: make another member owner before leaving",
    });
    expect((await errorOf(() => o.members.updateRole({ userId: owner.userId, role: "admin" }))).message).toBe(
      "The last owner cannot be demoted: make another member owner first",
    );
    // An admin cannot touch an owner.
    const admin = await userCaller(memberId);
    expect((await errorOf(() => admin.members.remove({ userId: owner.userId }))).message).toBe(
      "Your role (admin) cannot remove an owner",
    );
    // With a second owner, the first may step down and leave.
    await o.members.updateRole({ userId: memberId, role: "owner" });
    await o.members.updateRole({ userId: owner.userId, role: "member" });
    await expect(o.members.leave()).resolves.toEqual({ ok: true });
    const left = await (await userCaller(owner.userId)).me.get();
    expect(left.orgs.find((x) => x.id === owner.orgId)).toBeUndefined();
  });

  it("owners and admins remove members; members and viewers cannot", async () => {
    const { owner, memberId } = await orgWithMember("member");
    const member = await userCaller(memberId);
    expect(await errorOf(() => member.members.remove({ userId: owner.userId }))).toEqual({
      code: "FORBIDDEN",
      message: "Your role (member) cannot remove members",
    });
    await (await userCaller(owner.userId)).members.remove({ userId: memberId });
    expect((await (await userCaller(owner.userId)).members.list()).map((m) => m.userId)).toEqual([owner.userId]);
    // The removed member has no org left: org procedures say so.
    expect((await errorOf(async () => (await userCaller(memberId)).org.get())).code).toBe("NOT_FOUND");
  });

  it("writes the audit row in the mutation's transaction (none when it fails)", async () => {
    const { owner, memberId } = await orgWithMember("viewer");
    const o = await userCaller(owner.userId);
    await o.members.updateRole({ userId: memberId, role: "member" });
    const rows = await getDb().auditLog.findMany({ where: { orgId: owner.orgId, action: "member.update_role" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actorType: "user", actorUserId: owner.userId, targetId: memberId });
    // A refused demotion leaves no audit row behind.
    await errorOf(() => o.members.updateRole({ userId: owner.userId, role: "viewer" }));
    expect(await getDb().auditLog.count({ where: { orgId: owner.orgId, action: "member.update_role" } })).toBe(1);
    const audit = await o.audit.list({ action: "member.update_role" });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({ actorEmail: owner.email, ip: expect.stringMatching(/^10\./) });
    // Viewers and members cannot read the audit log.
    expect((await errorOf(async () => (await userCaller(memberId)).audit.list())).message).toBe(
      "Your role (member) cannot read the audit log",
    );
  });

  it("renames the org and creates another one", async () => {
    const u = await signUpUser("orgs");
    const c = await userCaller(u.userId);
    await c.org.update({ name: "Renamed org" });
    expect((await c.org.get()).name).toBe("Renamed org");
    const second = await c.org.create({ name: `Second ${uid()}` });
    track({ orgId: second.id });
    expect((await c.me.get()).orgs.map((o) => o.id)).toEqual([u.orgId, second.id]);
    const bad = await errorOf(() => c.org.update({ name: "" }));
    expect(bad.message).toMatch(/^name: Organization name must be at least 2 characters/);
  });
});
