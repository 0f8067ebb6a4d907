import { randomBytes } from "node:crypto";
import { signUp, upsertOAuthUser } from "@nuage/core";
import { getDb } from "@nuage/db";
import { afterAll, describe, expect, it } from "vitest";
import { authOptions } from "./options.ts";

const users: string[] = [];
afterAll(async () => {
  const db = getDb();
  const orgs = (await db.membership.findMany({ where: { userId: { in: users } } })).map((m) => m.orgId);
  await db.auditLog.deleteMany({ where: { OR: [{ orgId: { in: orgs } }, { actorUserId: { in: users } }] } });
  await db.org.deleteMany({ where: { id: { in: orgs } } });
  await db.user.deleteMany({ where: { id: { in: users } } });
});

const email = () => `auth-${randomBytes(4).toString("hex")}@test.nuage.local`;
type Authorize = (c: Record<string, string>, req: unknown) => Promise<{ id: string } | null>;

describe("next-auth options", () => {
  it("credentials provider signs in with the right password and says why not otherwise", async () => {
    const addr = email();
    const r = await signUp(
      { name: "A", email: addr, password: "auth-password-1", orgName: "Auth org" },
      { ip: "10.9.9.9" },
    );
    users.push(r.userId);
    const provider = authOptions.providers.find((p) => p.id === "credentials") as unknown as {
      options: { authorize: Authorize };
    };
    const authorize = provider.options.authorize;
    await expect(
      authorize({ email: addr.toUpperCase(), password: "auth-password-1" }, { headers: {} }),
    ).resolves.toMatchObject({
      id: r.userId,
      email: addr,
    });
    await expect(authorize({ email: addr, password: "nope-nope-1" }, { headers: {} })).rejects.toThrow(
      "Wrong e-mail or password",
    );
    // The JWT carries userId and sessionVersion; the session exposes them.
    const token = await authOptions.callbacks!.jwt!({
      token: {},
      user: { id: r.userId, sessionVersion: 0 } as never,
      account: { provider: "credentials", type: "credentials", providerAccountId: r.userId },
    } as never);
    expect(token).toMatchObject({ userId: r.userId, sessionVersion: 0 });
    // Later session checks keep the token while the password is unchanged, and end it after.
    const check = (t: object) => authOptions.callbacks!.jwt!({ token: t } as never);
    await expect(check({ userId: r.userId, sessionVersion: 0 })).resolves.toMatchObject({ userId: r.userId });
    await getDb().user.update({ where: { id: r.userId }, data: { sessionVersion: 1 } });
    await expect(check({ userId: r.userId, sessionVersion: 0 })).rejects.toThrow("session ended by a password change");
    expect(authOptions.pages?.signIn).toBe("/signin");
    expect(authOptions.session?.strategy).toBe("jwt");
  });

  it("OAuth sign-in creates a verified user with an org, then finds the same user again", async () => {
    const addr = email();
    const id = randomBytes(6).toString("hex");
    const first = await upsertOAuthUser({ provider: "github", providerAccountId: id, email: addr, name: "Octo" });
    users.push(first.id);
    expect(first.emailVerified).toBeInstanceOf(Date);
    const orgs = await getDb().membership.findMany({ where: { userId: first.id } });
    expect(orgs).toEqual([expect.objectContaining({ role: "owner" })]);
    const again = await upsertOAuthUser({ provider: "github", providerAccountId: id, email: addr, name: "Octo" });
    expect(again.id).toBe(first.id);
  });
});
