// The portal's tRPC route calls createTRPCContext({ headers }) without a session: the context reads
// the next-auth JWT cookie itself. Cookies are produced here the way next-auth does (encode).
import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTRPCContext } from "./context.ts";
import { createCaller } from "./root.ts";
import { cleanup, errorOf, signUpUser } from "./test/helpers.ts";

const secret = "test-secret-for-session-cookies-0123456789";
beforeAll(() => {
  process.env.NEXTAUTH_SECRET = secret;
});
afterAll(cleanup);

async function cookieCaller(claims: Record<string, unknown>, cookieName = "next-auth.session-token", extra = "") {
  const jwt = await encode({ token: claims, secret });
  const headers = new Headers({ cookie: `${cookieName}=${jwt}${extra}` });
  return createCaller(await createTRPCContext({ headers }));
}

describe("session from the next-auth cookie", () => {
  it("resolves the user and the org named by the nuage_org cookie", async () => {
    const u = await signUpUser("cookie");
    const second = await (
      await createCaller(await createTRPCContext({ headers: new Headers(), session: { userId: u.userId } }))
    ).org.create({ name: "Second org" });
    const c = await cookieCaller({ userId: u.userId, sessionVersion: 0 });
    expect((await c.me.get()).user.id).toBe(u.userId);
    expect((await c.org.get()).id).toBe(u.orgId);
    const switched = await cookieCaller(
      { userId: u.userId, sessionVersion: 0 },
      "__Secure-next-auth.session-token",
      `; nuage_org=${second.id}`,
    );
    expect((await switched.org.get()).id).toBe(second.id);
    // A stale cookie (an org the user left or never had) falls back to the oldest membership.
    const stale = await cookieCaller({ userId: u.userId }, "next-auth.session-token", "; nuage_org=not-an-org");
    expect((await stale.org.get()).id).toBe(u.orgId);
    const malformed = await cookieCaller({ userId: u.userId }, "next-auth.session-token", "; nuage_org=%E0%A4%A");
    expect((await malformed.org.get()).id).toBe(u.orgId);
  });

  it("refuses a session whose password version is older, and a forged cookie", async () => {
    const u = await signUpUser("cookie-old");
    const old = await cookieCaller({ userId: u.userId, sessionVersion: 7 });
    expect(await errorOf(() => old.me.get())).toEqual({
      code: "UNAUTHORIZED",
      message: "Your password was changed; sign in again",
    });
    const forged = createCaller(
      await createTRPCContext({ headers: new Headers({ cookie: "next-auth.session-token=not-a-jwt" }) }),
    );
    expect((await errorOf(() => forged.me.get())).code).toBe("UNAUTHORIZED");
  });
});
