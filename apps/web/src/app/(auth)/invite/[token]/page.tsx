import { Badge, buttonClasses } from "@nuage/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { AcceptInvite } from "~/components/auth/accept-invite";
import { AuthHeading } from "~/components/auth/heading";
import { loadInvitation } from "~/lib/invitation";
import { isSignedIn } from "~/lib/me-server";

export const metadata: Metadata = { title: "Invitation" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const inv = await loadInvitation(token);
  if (!inv.ok)
    return (
      <>
        <AuthHeading title="Invitation not valid" subtitle={inv.message} />
        <Link href="/signin" className="text-sm font-medium text-indigo-600 hover:text-indigo-500">
          Go to sign in
        </Link>
      </>
    );
  const { invite } = inv;
  const session = await isSignedIn();
  const q = `?invite=${encodeURIComponent(token)}`;
  return (
    <>
      <AuthHeading title={`Join ${invite.orgName}`} subtitle="You have been invited to an organization on Nuage." />
      <dl className="mb-6 grid grid-cols-3 gap-y-3 rounded-md bg-slate-50 px-4 py-4 text-sm ring-1 ring-slate-200">
        <dt className="text-slate-500">Organization</dt>
        <dd className="col-span-2 font-medium text-slate-900" data-testid="invite-org">
          {invite.orgName}
        </dd>
        <dt className="text-slate-500">Role</dt>
        <dd className="col-span-2">
          <Badge tone="indigo">{invite.role}</Badge>
        </dd>
        <dt className="text-slate-500">Invited</dt>
        <dd className="col-span-2 truncate text-slate-900">{invite.email}</dd>
      </dl>
      {session ? (
        <AcceptInvite token={token} orgId={invite.orgId} orgName={invite.orgName} />
      ) : (
        <div className="space-y-3">
          <Link href={`/signup${q}`} className={buttonClasses("primary", "md", "w-full")}>
            Create an account and join
          </Link>
          <Link href={`/signin${q}`} className={buttonClasses("secondary", "md", "w-full")}>
            I already have an account
          </Link>
        </div>
      )}
    </>
  );
}
