import { randomBytes } from "node:crypto";
import type { APIRequestContext, APIResponse } from "@playwright/test";
import { linkIn, waitForMail } from "./mailbox.ts";

export const BASE_URL = process.env.NUAGE_URL ?? "http://localhost:3100";

export interface TestUser {
  name: string;
  email: string;
  password: string;
  orgName: string;
}

/** A user nobody else uses: unique e-mail and org name for every call. */
export function newUser(label: string): TestUser {
  const id = randomBytes(4).toString("hex");
  return {
    name: `${label[0]?.toUpperCase()}${label.slice(1)} ${id}`,
    email: `${label}-${id}@e2e.nuage.test`,
    password: `correct horse ${id} battery 9`,
    orgName: `${label[0]?.toUpperCase()}${label.slice(1)} Org ${id}`,
  };
}

export class TrpcError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

async function unwrap(res: APIResponse): Promise<unknown> {
  const body = (await res.json().catch(() => null)) as {
    result?: { data?: { json?: unknown } };
    error?: { json?: { message?: string; data?: { code?: string } } };
  } | null;
  if (!res.ok() || body?.error) {
    const err = body?.error?.json;
    throw new TrpcError(res.status(), err?.data?.code, err?.message ?? `HTTP ${res.status()}`);
  }
  return body?.result?.data?.json;
}

/** Calls a tRPC procedure over HTTP, as the browser does (superjson envelope). */
export async function trpc<T = unknown>(
  request: APIRequestContext,
  path: string,
  input?: unknown,
  kind: "mutation" | "query" = "mutation",
): Promise<T> {
  if (kind === "query") {
    const q = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
    return (await unwrap(await request.get(`/api/trpc/${path}${q}`))) as T;
  }
  return (await unwrap(await request.post(`/api/trpc/${path}`, { data: { json: input ?? null } }))) as T;
}

/** The raw HTTP response of a tRPC mutation, for asserting refusals. */
export function trpcRaw(request: APIRequestContext, path: string, input: unknown): Promise<APIResponse> {
  return request.post(`/api/trpc/${path}`, { data: { json: input } });
}

export async function signUpByApi(request: APIRequestContext, user: TestUser, invitationToken?: string) {
  return trpc(request, "auth.signUp", { ...user, ...(invitationToken ? { invitationToken } : {}) });
}

/** Signs in through next-auth's credentials endpoint; the session cookie lands in `request`'s jar. */
export async function signInByApi(request: APIRequestContext, user: Pick<TestUser, "email" | "password">) {
  const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const res = await request.post("/api/auth/callback/credentials", {
    form: { csrfToken, email: user.email, password: user.password, json: "true" },
    maxRedirects: 0,
  });
  if (res.status() >= 400) throw new Error(`sign-in of ${user.email} failed: HTTP ${res.status()}`);
  const session = (await (await request.get("/api/auth/session")).json()) as { user?: unknown } | null;
  if (!session?.user) throw new Error(`sign-in of ${user.email} did not start a session`);
}

/** Verifies the address with the token from the verification mail. */
export async function verifyByMail(request: APIRequestContext, email: string) {
  const mail = await waitForMail(email, { subject: /verif/i });
  const token = new URL(linkIn(mail, "/verify-email"), "http://x").searchParams.get("token");
  await trpc(request, "auth.verifyEmail", { token });
}

export interface MeResult {
  user: { id: string; email: string; name: string; emailVerified: unknown };
  orgs: Array<{ id: string; name: string; role: string }>;
  currentOrg: { id: string; name: string; role?: string } | null;
}

export function me(request: APIRequestContext): Promise<MeResult> {
  return trpc<MeResult>(request, "me.get", undefined, "query");
}
