import { Badge, Button, buttonClasses, Card, EmptyState } from "@nuage/ui";
import type { Metadata } from "next";
import Link from "next/link";
import { ClusterIcon } from "~/components/clusters/cluster-icon";
import { StatusBadge } from "~/components/clusters/status-badge";
import { NoOrg } from "~/components/portal/no-org";
import { OrgStats } from "~/components/portal/org-stats";
import { VerifyBanner } from "~/components/portal/verify-banner";
import { getMe } from "~/lib/me-server";
import { getCaller } from "~/trpc/server";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const me = await getMe();
  const org = me.currentOrg;
  const verified = Boolean(me.user.emailVerified);
  const clusters = org ? await (await getCaller()).clusters.list() : [];
  return (
    <div className="space-y-6">
      {verified ? null : <VerifyBanner email={me.user.email} />}
      {org ? (
        <>
          <div className="flex flex-wrap items-end justify-between gap-4">
            <div>
              <p className="text-sm text-slate-500">Organization</p>
              <h1 className="text-2xl font-semibold tracking-tight text-slate-900" data-testid="org-name">
                {org.name}
              </h1>
            </div>
            <div className="flex items-center gap-3 text-sm text-slate-500">
              Your role <Badge tone="indigo">{org.role}</Badge>
            </div>
          </div>
          <OrgStats />
          <Card title="Clusters" description="Kubernetes clusters running in this organization.">
            {clusters.length > 0 ? (
              <div className="space-y-3">
                <ul className="divide-y divide-slate-100" data-testid="dashboard-clusters">
                  {clusters.slice(0, 5).map((c) => (
                    <li key={c.id} className="flex items-center justify-between gap-4 py-2 text-sm">
                      <Link href={`/clusters/${c.id}`} className="font-medium text-indigo-600 hover:text-indigo-500">
                        {c.name}
                      </Link>
                      <span className="flex items-center gap-3 text-slate-500">
                        <span>
                          {c.version} · {c.region} · {c.nodeCount} {c.nodeCount === 1 ? "node" : "nodes"}
                        </span>
                        <StatusBadge status={c.status} />
                      </span>
                    </li>
                  ))}
                </ul>
                <Link href="/clusters" className="text-sm font-medium text-indigo-600 hover:text-indigo-500">
                  {clusters.length > 5 ? `All ${clusters.length} clusters →` : "Manage clusters →"}
                </Link>
              </div>
            ) : (
              <EmptyState
                icon={<ClusterIcon />}
                title="No clusters yet"
                description={
                  verified
                    ? "Create your first Kubernetes cluster: pick a region, a version and node pools, then download a kubeconfig."
                    : "Verify your e-mail first: unverified accounts cannot create clusters."
                }
                action={
                  verified ? (
                    <Link href="/clusters/new" className={buttonClasses("primary")}>
                      Create cluster
                    </Link>
                  ) : (
                    <div className="flex flex-col items-center gap-2">
                      <Button disabled aria-describedby="create-cluster-why">
                        Create cluster
                      </Button>
                      <span id="create-cluster-why" className="text-xs text-slate-500">
                        Available once your e-mail is verified.
                      </span>
                    </div>
                  )
                }
              />
            )}
          </Card>
          <div className="grid gap-6 md:grid-cols-2">
            <Card title="Team" description="Invite colleagues and choose what they can do.">
              <Link href="/settings/members" className="text-sm font-medium text-indigo-600 hover:text-indigo-500">
                Manage members →
              </Link>
            </Card>
            <Card title="Automation" description="API tokens for the REST API at /api/v1.">
              <Link href="/settings/tokens" className="text-sm font-medium text-indigo-600 hover:text-indigo-500">
                Manage API tokens →
              </Link>
            </Card>
          </div>
        </>
      ) : (
        <NoOrg />
      )}
    </div>
  );
}
