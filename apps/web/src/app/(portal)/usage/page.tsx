import type { Metadata } from "next";
import { NoOrg } from "~/components/portal/no-org";
import { getMe } from "~/lib/me-server";
import { getQueryClient, HydrateClient, trpc } from "~/trpc/server";
import { UsageView } from "./usage-view";

export const metadata: Metadata = { title: "Usage" };

export default async function UsagePage() {
  const me = await getMe();
  if (!me.currentOrg) return <NoOrg />;
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.usage.budget.queryOptions()),
    qc.prefetchQuery(trpc.clusters.list.queryOptions()),
  ]);
  return (
    <HydrateClient>
      <UsageView />
    </HydrateClient>
  );
}
