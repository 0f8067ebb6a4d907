import type { ReactNode } from "react";
import { ClusterShell } from "~/components/clusters/cluster-shell";
import { NoOrg } from "~/components/portal/no-org";
import { getMe } from "~/lib/me-server";
import { getQueryClient, HydrateClient, trpc } from "~/trpc/server";

export default async function ClusterLayout({
  params,
  children,
}: {
  params: Promise<{ id: string }>;
  children: ReactNode;
}) {
  const { id } = await params;
  const me = await getMe();
  if (!me.currentOrg) return <NoOrg />;
  // Prefetched so the header renders without a loading flash; a missing cluster is shown by the shell.
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.clusters.get.queryOptions({ id })),
    qc.prefetchQuery(trpc.catalog.flavors.queryOptions()),
    qc.prefetchQuery(trpc.catalog.versions.queryOptions()),
  ]);
  return (
    <HydrateClient>
      <ClusterShell id={id}>{children}</ClusterShell>
    </HydrateClient>
  );
}
