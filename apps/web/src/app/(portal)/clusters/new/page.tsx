import { Banner } from "@nuage/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { CreateClusterForm } from "~/components/clusters/create-form";
import { NoOrg } from "~/components/portal/no-org";
import { getMe } from "~/lib/me-server";
import { canWrite } from "~/lib/roles";
import { getQueryClient, HydrateClient, trpc } from "~/trpc/server";

export const metadata: Metadata = { title: "Create cluster" };

export default async function NewClusterPage() {
  const me = await getMe();
  if (!me.currentOrg) return <NoOrg />;
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.catalog.regions.queryOptions()),
    qc.prefetchQuery(trpc.catalog.versions.queryOptions()),
    qc.prefetchQuery(trpc.catalog.flavors.queryOptions()),
  ]);
  const blocked = !me.user.emailVerified
    ? "Verify your e-mail first: unverified accounts cannot create clusters."
    : !canWrite(me.currentOrg.role)
      ? "Your role can see clusters but not create them. Ask an owner or admin."
      : null;
  return (
    <div className="space-y-6">
      <div>
        <Link href="/clusters" className="text-sm text-slate-500 hover:text-slate-700">
          ← Clusters
        </Link>
        <h1 className="mt-1 text-2xl font-semibold tracking-tight text-slate-900">Create a cluster</h1>
      </div>
      {blocked ? (
        <Banner tone="warning">{blocked}</Banner>
      ) : (
        <HydrateClient>
          <CreateClusterForm />
        </HydrateClient>
      )}
    </div>
  );
}
