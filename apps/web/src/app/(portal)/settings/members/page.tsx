import type { Metadata } from "next";
import { Members } from "~/components/settings/members";
import { getMe } from "~/lib/me-server";
import { canManage } from "~/lib/roles";
import { getQueryClient, HydrateClient, trpc } from "~/trpc/server";

export const metadata: Metadata = { title: "Members" };

export default async function MembersPage() {
  const me = await getMe();
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.members.list.queryOptions()),
    canManage(me.currentOrg?.role) ? qc.prefetchQuery(trpc.invitations.list.queryOptions()) : null,
  ]);
  return (
    <HydrateClient>
      <Members />
    </HydrateClient>
  );
}
