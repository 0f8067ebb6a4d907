// Fixed-window rate limits in Redis: INCR a key per (kind, subject, window); over the limit the
// caller gets TOO_MANY_REQUESTS with the seconds left in the window.
import { redis } from "@nuage/jobs";
import { coreEnv } from "./env.ts";
import { AppError } from "./errors.ts";
import { hashToken } from "./secrets.ts";

export type LimitKind = "signin" | "signup" | "reset" | "token";

function limitFor(kind: LimitKind) {
  const env = coreEnv();
  return {
    signin: env.NUAGE_RATE_LIMIT_SIGNIN,
    signup: env.NUAGE_RATE_LIMIT_SIGNUP,
    reset: env.NUAGE_RATE_LIMIT_RESET,
    token: env.NUAGE_RATE_LIMIT_TOKEN,
  }[kind];
}

function keyFor(kind: LimitKind, subject: string, windowSeconds: number) {
  const window = Math.floor(Date.now() / 1000 / windowSeconds);
  // The subject (e-mail, IP) is hashed: keys never hold personal data in clear.
  return { key: `nuage:rl:${kind}:${hashToken(subject.toLowerCase()).slice(0, 32)}:${window}`, window };
}

function tooMany(seconds: number): AppError {
  return new AppError("TOO_MANY_REQUESTS", `Too many attempts, try again in ${seconds} seconds`, {
    retryAfterSeconds: seconds,
  });
}

/** Counts one attempt; throws when it is over the limit (`factor` scales it, e.g. for per-IP keys). */
export async function hit(kind: LimitKind, subject: string, factor = 1): Promise<void> {
  const { max: base, windowSeconds } = limitFor(kind);
  const max = base * factor;
  const { key, window } = keyFor(kind, subject, windowSeconds);
  const r = redis();
  const [[, count]] = (await r
    .multi()
    .incr(key)
    .expire(key, windowSeconds + 1)
    .exec()) as [[unknown, number]];
  if (count > max) throw tooMany(Math.max(1, (window + 1) * windowSeconds - Math.floor(Date.now() / 1000)));
}

/** Throws when `subject` is already over the limit, without counting (failed-attempt limits). */
export async function check(kind: LimitKind, subject: string): Promise<void> {
  const { max, windowSeconds } = limitFor(kind);
  const { key, window } = keyFor(kind, subject, windowSeconds);
  const count = Number((await redis().get(key)) ?? 0);
  if (count >= max) throw tooMany(Math.max(1, (window + 1) * windowSeconds - Math.floor(Date.now() / 1000)));
}

/** Counts one failed attempt (paired with `check`). */
export async function fail(kind: LimitKind, subject: string): Promise<void> {
  const { windowSeconds } = limitFor(kind);
  const { key } = keyFor(kind, subject, windowSeconds);
  await redis()
    .multi()
    .incr(key)
    .expire(key, windowSeconds + 1)
    .exec();
}
