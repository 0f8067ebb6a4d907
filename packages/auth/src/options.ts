// next-auth v4 options: credentials (e-mail + password, argon2id) always; GitHub and Google when
// their variables are set. JWT sessions carry `userId` and `sessionVersion` (a password reset
// bumps the version, which ends older sessions: see packages/api/src/context.ts).
import { AppError, authenticate, getUser, upsertOAuthUser } from "@nuage/core";
import type { NextAuthOptions } from "next-auth";
import CredentialsImport from "next-auth/providers/credentials";
import GitHubImport from "next-auth/providers/github";
import GoogleImport from "next-auth/providers/google";

// next-auth v4 is CommonJS: under Node's ESM loader (tsx, tests) the default import is the module
// object; under Next's bundler it is the function.
function interop<T>(m: T): T {
  return (typeof m === "function" ? m : (m as unknown as { default: T }).default) as T;
}
const CredentialsProvider = interop(CredentialsImport);
const GitHubProvider = interop(GitHubImport);
const GoogleProvider = interop(GoogleImport);

function clientIp(headers: Record<string, unknown> | undefined): string | null {
  const fwd = headers?.["x-forwarded-for"];
  const first = typeof fwd === "string" ? fwd.split(",")[0]?.trim() : undefined;
  return first || (typeof headers?.["x-real-ip"] === "string" ? (headers["x-real-ip"] as string) : null);
}

function providers(): NextAuthOptions["providers"] {
  const list: NextAuthOptions["providers"] = [
    CredentialsProvider({
      id: "credentials",
      name: "E-mail and password",
      credentials: {
        email: { label: "E-mail", type: "email" },
        password: { label: "Password", type: "password" },
      },
      async authorize(credentials, req) {
        try {
          const user = await authenticate(credentials?.email ?? "", credentials?.password ?? "", {
            ip: clientIp(req?.headers as Record<string, unknown> | undefined),
          });
          return { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion };
        } catch (e) {
          // next-auth passes the message to the sign-in page as `error`: keep it the user-facing one.
          if (e instanceof AppError) throw new Error(e.message);
          throw new Error("Sign-in failed, try again");
        }
      },
    }),
  ];
  if (process.env.GITHUB_ID && process.env.GITHUB_SECRET) {
    list.push(GitHubProvider({ clientId: process.env.GITHUB_ID, clientSecret: process.env.GITHUB_SECRET }));
  }
  if (process.env.GOOGLE_ID && process.env.GOOGLE_SECRET) {
    list.push(GoogleProvider({ clientId: process.env.GOOGLE_ID, clientSecret: process.env.GOOGLE_SECRET }));
  }
  return list;
}

/** Names of the OAuth providers switched on by the environment (for the sign-in page). */
export function oauthProviders(): ("github" | "google")[] {
  const out: ("github" | "google")[] = [];
  if (process.env.GITHUB_ID && process.env.GITHUB_SECRET) out.push("github");
  if (process.env.GOOGLE_ID && process.env.GOOGLE_SECRET) out.push("google");
  return out;
}

export const authOptions: NextAuthOptions = {
  providers: providers(),
  session: { strategy: "jwt", maxAge: 30 * 24 * 3600 },
  pages: { signIn: "/signin" },
  secret: process.env.NEXTAUTH_SECRET,
  callbacks: {
    async signIn({ account, user, profile }) {
      if (!account || account.provider === "credentials") return true;
      const email = user.email ?? (profile as { email?: string } | undefined)?.email;
      if (!email) return "/signin?error=OAuthNoEmail";
      const local = await upsertOAuthUser({
        provider: account.provider,
        providerAccountId: account.providerAccountId,
        email,
        name: user.name,
      });
      // Handed to the jwt callback below through the user object.
      (user as { nuageUserId?: string; sessionVersion?: number }).nuageUserId = local.id;
      (user as { sessionVersion?: number }).sessionVersion = local.sessionVersion;
      return true;
    },
    async jwt({ token, user, account }) {
      if (user) {
        const u = user as { id: string; nuageUserId?: string; sessionVersion?: number };
        token.userId = account?.provider === "credentials" ? u.id : (u.nuageUserId ?? u.id);
        token.sessionVersion = u.sessionVersion ?? 0;
        return token;
      }
      // Session checks: a deleted user or a changed password ends the session. Throwing makes
      // next-auth answer "no session" and clear the cookie. A database hiccup keeps the session.
      if (typeof token.userId === "string") {
        const current = await getUser(token.userId).catch(() => undefined);
        if (current === null) throw new Error("session user no longer exists");
        if (current && current.sessionVersion !== (token.sessionVersion ?? 0))
          throw new Error("session ended by a password change");
      }
      return token;
    },
    async session({ session, token }) {
      const s = session as typeof session & { userId?: string; sessionVersion?: number };
      s.userId = typeof token.userId === "string" ? token.userId : undefined;
      s.sessionVersion = typeof token.sessionVersion === "number" ? token.sessionVersion : 0;
      return s;
    },
  },
};
