"use client";

import { Banner, Card, EmptyState, Table } from "@nuage/ui";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { StatusBadge } from "~/components/clusters/status-badge";
import { formatDateTime } from "~/lib/format";
import { useTRPC } from "~/trpc/client";
import { Columns, HostStateBadge, Meter, money, PageHeader, QueryState, Stat } from "./ui";

export function Overview() {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.admin.overview.queryOptions(), refetchInterval: 15_000 });
  return (
    <>
      <PageHeader title="Overview" description="The platform at a glance; refreshed every 15 seconds." />
      <QueryState query={q}>
        {() => {
          const d = q.data!;
          const byStatus = new Map<string, number>();
          const byRegion = new Map<string, number>();
          for (const c of d.clusters) {
            byStatus.set(c.status, (byStatus.get(c.status) ?? 0) + c.count);
            byRegion.set(c.region, (byRegion.get(c.region) ?? 0) + c.count);
          }
          const clusters = [...byStatus.values()].reduce((a, b) => a + b, 0);
          return (
            <div className="space-y-6">
              <section className="grid grid-cols-2 gap-4 md:grid-cols-4" aria-label="Tenants">
                <Stat label="Active tenants" value={d.tenants.active} testId="stat-active" />
                <Stat label="On trial" value={d.tenants.trial} />
                <Stat label="Suspended" value={d.tenants.suspended} testId="stat-suspended" />
                <Stat
                  label="Clusters / nodes"
                  value={`${clusters} / ${d.nodes}`}
                  hint={`${d.tenants.deleting} tenant(s) being deleted`}
                />
              </section>
              <div className="grid gap-6 lg:grid-cols-2">
                <Card title="Clusters by status">
                  {byStatus.size === 0 ? (
                    <EmptyState title="No clusters yet" />
                  ) : (
                    <ul className="flex flex-wrap gap-3">
                      {[...byStatus].map(([s, n]) => (
                        <li key={s} className="flex items-center gap-2">
                          <Link href={`/admin/clusters?status=${s}`}>
                            <StatusBadge status={s} />
                          </Link>
                          <span className="text-sm font-semibold">{n}</span>
                        </li>
                      ))}
                    </ul>
                  )}
                  {byRegion.size > 0 ? (
                    <p className="mt-4 text-sm text-slate-600">
                      By region: {[...byRegion].map(([r, n]) => `${r} ${n}`).join(" · ")}
                    </p>
                  ) : null}
                </Card>
                <Card title="Capacity" description="vCPU (after over-commit) and memory in use, per region">
                  {d.capacityError ? (
                    <Banner tone="warning">The provider did not answer: {d.capacityError}</Banner>
                  ) : !d.capacity?.length ? (
                    <EmptyState title="The provider reports no hosts" />
                  ) : (
                    <div className="space-y-4">
                      {d.capacity.map((r) => (
                        <div key={r.name} className="grid grid-cols-3 items-center gap-4">
                          <p className="text-sm font-medium">{r.name}</p>
                          <Meter used={r.usedVcpus} total={r.vcpus} label={`${r.name} vCPU`} />
                          <Meter
                            used={Math.round(r.usedMemoryMiB / 1024)}
                            total={Math.round(r.memoryMiB / 1024)}
                            label={`${r.name} memory GiB`}
                          />
                        </div>
                      ))}
                      <ul className="grid grid-cols-2 gap-x-4 gap-y-2 sm:grid-cols-3" aria-label="vCPU per host">
                        {d.hosts.map((h) => (
                          <li key={h.id} className="text-xs">
                            <span className="flex items-center justify-between gap-1 font-mono">
                              {h.id}
                              {h.state !== "up" ? <HostStateBadge state={h.state} /> : null}
                            </span>
                            <Meter used={h.usedVcpus} total={h.vcpus} label={`${h.id} vCPU`} />
                          </li>
                        ))}
                      </ul>
                      <p className="text-xs text-slate-500">
                        {d.hosts.filter((h) => h.state !== "up").length} of {d.hosts.length} hosts down or draining ·{" "}
                        <Link className="text-indigo-600 hover:underline" href="/admin/capacity">
                          hosts
                        </Link>
                      </p>
                    </div>
                  )}
                </Card>
                <Card title="Revenue" description="Invoiced totals (billing)">
                  {!d.revenue ? (
                    <EmptyState title="Billing is not set up" description="Revenue appears once invoices exist." />
                  ) : (
                    <div className="grid grid-cols-2 gap-4">
                      <Stat
                        label="Month to date"
                        value={d.revenue.monthToDate.map((m) => money(m.totalMinor, m.currency)).join(" + ") || "—"}
                      />
                      <Stat
                        label="Last month"
                        value={d.revenue.lastMonth.map((m) => money(m.totalMinor, m.currency)).join(" + ") || "—"}
                      />
                    </div>
                  )}
                </Card>
                <Card title="Usage trend" description="vCPU-hours per day, last 30 days (metering)">
                  {d.usage.length === 0 ? (
                    <EmptyState title="No usage recorded yet" description="Daily rollups from metering show here." />
                  ) : (
                    <Columns
                      label="vCPU-hours per day"
                      unit="vCPU-h"
                      data={d.usage.map((u) => ({
                        label: new Date(u.day).toISOString().slice(5, 10),
                        value: u.vcpuHours,
                      }))}
                    />
                  )}
                </Card>
              </div>
              <Card title="Failed operations, last 24 h">
                <Table
                  caption="Failed operations"
                  rows={d.failedOperations}
                  rowKey={(o) => o.id}
                  empty="No operation failed in the last 24 hours."
                  columns={[
                    { key: "when", header: "When", cell: (o) => formatDateTime(o.finishedAt) },
                    {
                      key: "cluster",
                      header: "Cluster",
                      cell: (o) => (
                        <Link className="text-indigo-600 hover:underline" href={`/admin/clusters/${o.clusterId}`}>
                          {o.clusterName}
                        </Link>
                      ),
                    },
                    { key: "org", header: "Tenant", cell: (o) => o.orgName },
                    { key: "type", header: "Type", cell: (o) => o.type },
                    {
                      key: "error",
                      header: "Error",
                      cell: (o) => <span className="whitespace-normal">{o.error}</span>,
                    },
                  ]}
                />
              </Card>
            </div>
          );
        }}
      </QueryState>
    </>
  );
}
