// Rate limits with small limits set through the environment (read on each call).
import { authenticate } from "@nuage/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anonCaller, cleanup, errorOf, PASSWORD, randomIp, rest, signUpUser, track, uid } from "./test/helpers.ts";

const saved = { ...process.env };
beforeAll(() => {
  process.env.NUAGE_RATE_LIMIT_SIGNIN = "3/60";
  process.env.NUAGE_RATE_LIMIT_SIGNUP = "2/60";
  process.env.NUAGE_RATE_LIMIT_RESET = "2/60";
  process.env.NUAGE_RATE_LIMIT_TOKEN = "3/60";
});
afterAll(async () => {
  for (const k of [
    "NUAGE_RATE_LIMIT_SIGNIN",
    "NUAGE_RATE_LIMIT_SIGNUP",
    "NUAGE_RATE_LIMIT_RESET",
    "NUAGE_RATE_LIMIT_TOKEN",
  ]) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  await cleanup();
});

describe("rate limits", () => {
  it("sign-in: too many attempts for one account get 429 with the wait", async () => {
    const u = await signUpUser("rl-signin");
    for (let i = 0; i < 3; i++)
      await expect(authenticate(u.email, "wrong-password-1")).rejects.toThrow("Wrong e-mail or password");
    const err = await authenticate(u.email, PASSWORD).catch((e) => e);
    expect(err.code).toBe("TOO_MANY_REQUESTS");
    expect(err.message).toMatch(/^Too many attempts, try again in \d+ seconds$/);
  });

  it("sign-up: too many from one address get TOO_MANY_REQUESTS", async () => {
    const anon = await anonCaller(randomIp());
    const signUp = () =>
      anon.auth.signUp({ name: "X", email: `rl-signup-${uid()}@test.nuage.local`, password: PASSWORD, orgName: "Org" });
    for (let i = 0; i < 2; i++) track({ userId: (await signUp()).userId });
    expect(await errorOf(signUp)).toEqual({
      code: "TOO_MANY_REQUESTS",
      message: expect.stringMatching(/^Too many attempts, try again in \d+ seconds$/),
    });
  });

  it("password reset: the third request for one address gets 429", async () => {
    const email = `rl-reset-${uid()}@test.nuage.local`;
    const anon = await anonCaller();
    await anon.auth.requestPasswordReset({ email });
    await anon.auth.requestPasswordReset({ email });
    expect(await errorOf(() => anon.auth.requestPasswordReset({ email }))).toEqual({
      code: "TOO_MANY_REQUESTS",
      message: expect.stringMatching(/^Too many attempts, try again in \d+ seconds$/),
    });
  });

  it("token auth: repeated bad tokens from one address get HTTP 429", async () => {
    const ip = randomIp();
    for (let i = 0; i < 3; i++) expect((await rest("/me", { token: `nuage_bad${uid()}`, ip })).status).toBe(401);
    const res = await rest("/me", { token: `nuage_bad${uid()}`, ip });
    expect(res.status).toBe(429);
    expect((await res.json()).message).toMatch(/^Too many attempts, try again in \d+ seconds$/);
  });
});
