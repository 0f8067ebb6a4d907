// Test helpers for integration tests: real PostgreSQL/Redis (DATABASE_URL, REDIS_URL), unique
// names per test, callers built with the real context.
import { randomBytes } from "node:crypto";
import { getDb } from "@nuage/db";
import { redis } from "@nuage/jobs";
import { createTRPCContext } from "../context.ts";
import { handleRestRequest } from "../rest.ts";
import { createCaller } from "../root.ts";

// Jobs enqueued by these tests go to a private queue prefix: no running worker takes them (and
// clears the mails the tests read); cleanup() deletes its keys.
const queuePrefix = `test-api-${randomBytes(4).toString("hex")}`;
process.env.NUAGE_QUEUE_PREFIX = queuePrefix;

const created = { users: new Set<string>(), orgs: new Set<string>(), emails: new Set<string>() };

/** Remembers rows a test made so `cleanup()` removes them (orgs cascade to their rows). */
export function track(rows: { userId?: string; orgId?: string; email?: string }) {
  if (rows.userId) created.users.add(rows.userId);
  if (rows.orgId) created.orgs.add(rows.orgId);
  if (rows.email) created.emails.add(rows.email);
}

/** Deletes what this file created; call from afterAll. */
export async function cleanup() {
  const db = getDb();
  const users = [...created.users];
  // Orgs the users joined or created through procedures are theirs too.
  const owned = await db.membership.findMany({ where: { userId: { in: users } }, select: { orgId: true } });
  const orgs = [...new Set([...created.orgs, ...owned.map((m) => m.orgId)])];
  await db.auditLog.deleteMany({
    where: { OR: [{ actorUserId: { in: users } }, { targetId: { in: users } }, { orgId: { in: orgs } }] },
  });
  await db.org.deleteMany({ where: { id: { in: orgs } } });
  await db.user.deleteMany({ where: { id: { in: users } } });
  await db.mailOutbox.deleteMany({ where: { OR: [{ to: { in: [...created.emails] } }, { orgId: { in: orgs } }] } });
  const keys = await redis().keys(`${queuePrefix}:*`);
  if (keys.length) await redis().del(...keys);
  created.users.clear();
  created.orgs.clear();
  created.emails.clear();
}

export const uid = () => randomBytes(5).toString("hex");
export const PASSWORD = "correct-horse-42";

/** A random client address, so rate limits of parallel tests never meet. */
export const randomIp = () => `10.${randInt()}.${randInt()}.${randInt()}`;
const randInt = () => Math.floor(Math.random() * 250) + 1;

export function headersFor(opts: { ip?: string; org?: string; token?: string } = {}): Headers {
  const h = new Headers();
  h.set("x-forwarded-for", opts.ip ?? randomIp());
  if (opts.org) h.set("x-nuage-org", opts.org);
  if (opts.token) h.set("authorization", `Bearer ${opts.token}`);
  return h;
}

export async function anonCaller(ip?: string) {
  return createCaller(await createTRPCContext({ headers: headersFor({ ip }), session: null }));
}

export async function userCaller(userId: string, opts: { org?: string; ip?: string } = {}) {
  return createCaller(await createTRPCContext({ headers: headersFor(opts), session: { userId } }));
}

export async function tokenCaller(token: string) {
  return createCaller(await createTRPCContext({ headers: headersFor({ token }), session: null }));
}

export interface TestUser {
  userId: string;
  orgId: string;
  email: string;
}

/** Signs up a user with their own org (through the real procedure). */
export async function signUpUser(prefix = "user", opts: { verified?: boolean } = {}): Promise<TestUser> {
  const email = `${prefix}-${uid()}@test.nuage.local`;
  const caller = await anonCaller();
  const r = await caller.auth.signUp({
    name: `${prefix} ${uid()}`,
    email,
    password: PASSWORD,
    orgName: `Org ${prefix} ${uid()}`,
  });
  track({ userId: r.userId, orgId: r.orgId, email });
  if (opts.verified) await getDb().user.update({ where: { id: r.userId }, data: { emailVerified: new Date() } });
  return { userId: r.userId, orgId: r.orgId, email };
}

/** The newest e-mail sent to `to` (from the outbox, as the worker would send it). */
export async function lastMailTo(to: string) {
  const row = await getDb().mailOutbox.findFirst({ where: { to }, orderBy: { createdAt: "desc" } });
  if (!row) throw new Error(`no mail to ${to}`);
  return row;
}

/** The token in the link of the newest mail to `to` (verify-email, reset-password or invite). */
export async function tokenFromMail(to: string, kind: "verify-email" | "reset-password" | "invite"): Promise<string> {
  const { text } = await lastMailTo(to);
  const re = kind === "invite" ? /\/invite\/([\w-]+)/ : new RegExp(`/${kind}\\?token=([\\w-]+)`);
  const m = re.exec(text);
  if (!m) throw new Error(`no ${kind} link in the mail to ${to}`);
  return m[1]!;
}

export function rest(path: string, init: { token?: string; method?: string; body?: unknown; ip?: string } = {}) {
  const headers = headersFor({ token: init.token, ip: init.ip });
  if (init.body !== undefined) headers.set("content-type", "application/json");
  return handleRestRequest(
    new Request(`http://localhost:3000/api/v1${path}`, {
      method: init.method ?? "GET",
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    }),
  );
}

/** Runs `fn` and returns the tRPC error code and message it threw (fails when it did not throw). */
export async function errorOf(fn: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await fn();
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return { code: String(err.code), message: String(err.message) };
  }
  throw new Error("expected an error, got a result");
}
