import type { Metadata } from "next";
import { ClusterList } from "~/components/clusters/cluster-list";
import { NoOrg } from "~/components/portal/no-org";
import { getMe } from "~/lib/me-server";
import { getQueryClient, HydrateClient, trpc } from "~/trpc/server";

export const metadata: Metadata = { title: "Clusters" };

export default async function ClustersPage() {
  const me = await getMe();
  if (!me.currentOrg) return <NoOrg />;
  const qc = getQueryClient();
  await Promise.all([qc.prefetchQuery(trpc.clusters.list.queryOptions())]);
  return (
    <HydrateClient>
      <ClusterList />
    </HydrateClient>
  );
}
