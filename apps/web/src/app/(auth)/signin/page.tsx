import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthHeading } from "~/components/auth/heading";
import { SignInForm } from "~/components/auth/signin-form";
import { isSignedIn } from "~/lib/me-server";

export const metadata: Metadata = { title: "Sign in" };

const NOTICES: Record<string, string> = {
  reset: "Your password was changed. Sign in with the new one.",
  verified: "Your e-mail is verified. Sign in to continue.",
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
  return (
    <>
      <AuthHeading title="Sign in to Nuage" subtitle="Welcome back." />
      <SignInForm next={one("callbackUrl")} invite={invite} {...(notice ? { notice } : {})} />
    </>
  );
}
