"use client";

import { Badge, Banner, buttonClasses, Card, EmptyState, Spinner } from "@nuage/ui";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { canManage } from "~/lib/roles";
import { useTRPC } from "~/trpc/client";
import { useClusterId } from "../clusters/use-cluster";
import { useMe } from "../portal/me-context";
import { type NamespaceRow, quotaLabel, SyncBadge } from "./shared";
import { TemplatesCard } from "./templates-card";

const SUMMARY = ["requests.cpu", "requests.memory", "pods"] as const;

export function NamespaceList() {
  const clusterId = useClusterId();
  const trpc = useTRPC();
  const me = useMe();
  const list = useQuery({
    ...trpc.namespaces.list.queryOptions({ clusterId }),
    // Faster while something is on its way to the cluster.
    refetchInterval: (q) =>
      (q.state.data as NamespaceRow[] | undefined)?.some((n) => n.syncStatus !== "synced" || n.deleting)
        ? 2_000
        : 15_000,
  });
  const admin = canManage(me.currentOrg?.role);
  const base = `/clusters/${clusterId}/namespaces`;
  if (list.isPending)
    return (
      <div className="flex items-center gap-3 py-10 text-sm text-slate-500">
        <Spinner /> Loading namespaces…
      </div>
    );
  if (list.error)
    return (
      <Banner tone="error" title="The namespaces could not be loaded">
        {list.error.message}
      </Banner>
    );
  const rows = list.data;
  const create = admin ? (
    <Link href={`${base}/new`} className={buttonClasses("primary")}>
      Create namespace
    </Link>
  ) : null;
  if (rows.length === 0)
    return (
      <div className="space-y-6">
        <EmptyState
          title="No namespaces yet"
          description={
            admin
              ? "Give each team a namespace with its own quota, secrets and access. The platform applies it to the cluster and keeps it that way."
              : "An organization admin creates namespaces; you will see the ones you can use here."
          }
          action={create}
        />
        {admin ? <TemplatesCard /> : null}
      </div>
    );
  return (
    <div className="space-y-6">
      <Card
        title="Namespaces"
        description="Managed by the platform: quotas, secrets and access are applied to the cluster and restored if changed with kubectl."
        actions={create}
      >
        <ul className="divide-y divide-slate-100" aria-label="Namespaces">
          {rows.map((n) => (
            <li
              key={n.id}
              className="flex flex-wrap items-center gap-4 py-3 first:pt-0 last:pb-0"
              data-testid="namespace-row"
            >
              <div className="min-w-40 flex-1">
                <Link href={`${base}/${n.id}`} className="font-medium text-indigo-700 hover:underline">
                  {n.name}
                </Link>
                <div className="mt-1 flex flex-wrap gap-1">
                  <Badge tone="indigo">{n.template}</Badge>
                  {Object.entries(n.labels).map(([k, v]) => (
                    <Badge key={k}>
                      {k}={v}
                    </Badge>
                  ))}
                </div>
              </div>
              <dl className="flex gap-6 text-xs text-slate-500">
                {SUMMARY.map((r) => (
                  <div key={r}>
                    <dt>{quotaLabel(r)}</dt>
                    <dd className="font-mono text-slate-800">{n.quota[r] ?? "—"}</dd>
                  </div>
                ))}
                <div>
                  <dt>Secrets</dt>
                  <dd className="font-mono text-slate-800">{n.counts?.secrets ?? 0}</dd>
                </div>
              </dl>
              <SyncBadge status={n.syncStatus} message={n.syncMessage} deleting={n.deleting} />
            </li>
          ))}
        </ul>
      </Card>
      {admin ? <TemplatesCard /> : null}
    </div>
  );
}
