import { notFound } from "next/navigation";
import { EnterOrg } from "~/components/portal/enter-org";
import { getMe } from "~/lib/me-server";

const ALLOWED = /^(dashboard|settings(\/(members|tokens|audit))?)$/;

/**
 * Deep links that name their organization: /orgs/<id>/settings/members. A user who is not a
 * member of that org gets the same not-found page as for an org that does not exist.
 */
export default async function OrgLinkPage({ params }: { params: Promise<{ orgId: string; rest?: string[] }> }) {
  const { orgId, rest } = await params;
  const me = await getMe();
  if (!me.orgs.some((o) => o.id === orgId)) notFound();
  const path = (rest ?? []).join("/") || "dashboard";
  if (!ALLOWED.test(path)) notFound();
  return <EnterOrg orgId={orgId} to={`/${path}`} />;
}
