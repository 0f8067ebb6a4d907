import { oauthProviders } from "@nuage/auth";
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthHeading } from "~/components/auth/heading";
import { OAuthButtons } from "~/components/auth/oauth-buttons";
import { SignInForm } from "~/components/auth/signin-form";
import { isSignedIn } from "~/lib/me-server";

export const metadata: Metadata = { title: "Sign in" };

const NOTICES: Record<string, string> = {
  reset: "Your password was changed. Sign in with the new one.",
  verified: "Your e-mail is verified. Sign in to continue.",
};

// next-auth sends errors back as ?error=<code>.
const ERRORS: Record<string, string> = {
  OAuthNoEmail: "That account has no e-mail address we can use. Sign in with your e-mail and password instead.",
  OAuthAccountNotLinked: "This e-mail already has an account. Sign in with your password.",
  SessionRequired: "Sign in to continue.",
};

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const sp = await searchParams;
  const one = (k: string) => (typeof sp[k] === "string" ? (sp[k] as string) : null);
  const invite = one("invite");
  if ((await isSignedIn()) && !invite) redirect("/dashboard");
  const notice = NOTICES[one("notice") ?? ""];
  const code = one("error");
  const error = code ? (ERRORS[code] ?? "Sign-in failed. Please try again.") : undefined;
  return (
    <>
      <AuthHeading title="Sign in to Nuage" subtitle="Welcome back." />
      <OAuthButtons
        providers={oauthProviders()}
        next={invite ? `/invite/${encodeURIComponent(invite)}` : "/dashboard"}
      />
      <SignInForm
        next={one("callbackUrl")}
        invite={invite}
        {...(notice ? { notice } : {})}
        {...(error ? { initialError: error } : {})}
      />
    </>
  );
}
