import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthHeading } from "~/components/auth/heading";
import { type InviteSummary, SignUpForm } from "~/components/auth/signup-form";
import { loadInvitation } from "~/lib/invitation";
import { isSignedIn } from "~/lib/me-server";

export const metadata: Metadata = { title: "Create your account" };

export default async function SignUpPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const sp = await searchParams;
  const token = typeof sp.invite === "string" ? sp.invite : null;
  if (token && (await isSignedIn())) redirect(`/invite/${encodeURIComponent(token)}`);
  if (!token && (await isSignedIn())) redirect("/dashboard");
  let invite: InviteSummary | null = null;
  if (token) {
    const inv = await loadInvitation(token);
    if (inv.ok) invite = inv.invite;
    else
      return (
        <>
          <AuthHeading title="Invitation not valid" subtitle={inv.message} />
          <a href="/signup" className="text-sm font-medium text-indigo-600 hover:text-indigo-500">
            Create an account with a new organization instead
          </a>
        </>
      );
  }
  return (
    <>
      <AuthHeading
        title={invite ? `Join ${invite.orgName}` : "Create your account"}
        subtitle={
          invite
            ? `You were invited as ${invite.role}. Choose your name and password.`
            : "Start running Kubernetes clusters in minutes."
        }
      />
      <SignUpForm invite={invite} />
    </>
  );
}
