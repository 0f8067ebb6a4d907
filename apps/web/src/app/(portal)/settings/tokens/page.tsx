import type { Metadata } from "next";
import { Tokens } from "~/components/settings/tokens";
import { getMe } from "~/lib/me-server";
import { getQueryClient, HydrateClient, trpc } from "~/trpc/server";

export const metadata: Metadata = { title: "API tokens" };

export default async function TokensPage() {
  const me = await getMe();
  if (["owner", "admin", "member"].includes(String(me.currentOrg?.role)))
    await getQueryClient().prefetchQuery(trpc.tokens.list.queryOptions());
  return (
    <HydrateClient>
      <Tokens />
    </HydrateClient>
  );
}
