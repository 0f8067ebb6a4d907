"use client";

import { Banner, buttonClasses, Card, type Column, EmptyState, Spinner, Table } from "@nuage/ui";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { canWrite } from "~/lib/roles";
import { useTRPC } from "~/trpc/client";
import { useMe } from "../portal/me-context";
import { ClusterIcon } from "./cluster-icon";
import { formatAge, formatMemory, isBusy } from "./format";
import { StatusBadge } from "./status-badge";
import type { ClusterView } from "./types";

export function ClusterList() {
  const trpc = useTRPC();
  const me = useMe();
  const verified = Boolean(me.user.emailVerified);
  const mayCreate = canWrite(me.currentOrg?.role) && verified;
  const list = useQuery({
    ...trpc.clusters.list.queryOptions(),
    // While a cluster is changing, its status in the list follows along.
    refetchInterval: (q) => ((q.state.data ?? []).some((c) => isBusy(c.status)) ? 3000 : false),
  });
  const rows = ((list.data ?? []) as ClusterView[]).filter((c) => c.status !== "deleted");

  const createLink = (
    <Link href="/clusters/new" className={buttonClasses("primary")}>
      Create cluster
    </Link>
  );
  const columns: Column<ClusterView>[] = [
    {
      key: "name",
      header: "Name",
      cell: (c) => (
        <Link href={`/clusters/${c.id}`} className="font-medium text-indigo-600 hover:text-indigo-500">
          {c.name}
        </Link>
      ),
    },
    { key: "status", header: "Status", cell: (c) => <StatusBadge status={c.status} /> },
    { key: "version", header: "Version", cell: (c) => <span className="font-mono text-xs">{c.version}</span> },
    { key: "region", header: "Region", cell: (c) => c.region },
    { key: "nodes", header: "Nodes", className: "text-right", cell: (c) => c.nodeCount },
    { key: "vcpu", header: "vCPU", className: "text-right", cell: (c) => c.vcpus },
    { key: "memory", header: "Memory", className: "text-right", cell: (c) => formatMemory(c.memoryMiB) },
    {
      key: "age",
      header: "Age",
      className: "text-right",
      cell: (c) => <time dateTime={new Date(c.createdAt).toISOString()}>{formatAge(c.createdAt)}</time>,
    },
  ];

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Clusters</h1>
          <p className="mt-1 text-sm text-slate-500">
            Kubernetes clusters of {me.currentOrg?.name ?? "this organization"}.
          </p>
        </div>
        {mayCreate && rows.length > 0 ? createLink : null}
      </div>
      {!verified ? (
        <Banner tone="warning">Verify your e-mail to create clusters.</Banner>
      ) : !canWrite(me.currentOrg?.role) ? (
        <Banner tone="info">Your role can see clusters but not create or change them.</Banner>
      ) : null}
      {list.isPending ? (
        <div className="flex items-center gap-3 py-16 text-sm text-slate-500">
          <Spinner /> Loading clusters…
        </div>
      ) : list.error ? (
        <Banner tone="error" title="The clusters could not be loaded">
          {list.error.message}
        </Banner>
      ) : rows.length === 0 ? (
        <Card>
          <EmptyState
            icon={<ClusterIcon />}
            title="No clusters yet"
            description={
              mayCreate
                ? "Create a cluster: choose a region, a Kubernetes version and node pools. It is ready in a few minutes."
                : "Nobody in this organization has created a cluster yet."
            }
            action={mayCreate ? createLink : null}
          />
        </Card>
      ) : (
        <Card className="overflow-hidden">
          <Table columns={columns} rows={rows} rowKey={(c) => c.id} caption="Clusters" />
        </Card>
      )}
    </div>
  );
}
