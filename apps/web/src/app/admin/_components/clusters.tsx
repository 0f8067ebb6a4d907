"use client";

import { Button, Card, Input, Select, Spinner, Table } from "@nuage/ui";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { type FormEvent, Suspense } from "react";
import { StatusBadge } from "~/components/clusters/status-badge";
import { formatDateTime } from "~/lib/format";
import { useTRPC } from "~/trpc/client";
import { PageHeader, QueryState } from "./ui";

const STATUSES = ["provisioning", "running", "updating", "degraded", "deleting", "deleted", "error"] as const;
type Status = (typeof STATUSES)[number];

function Inner() {
  const trpc = useTRPC();
  const router = useRouter();
  const params = useSearchParams();
  const q = params.get("q") ?? "";
  const region = params.get("region") ?? "";
  const orgId = params.get("orgId") ?? "";
  const raw = params.get("status") ?? "";
  const status = (STATUSES as readonly string[]).includes(raw) ? (raw as Status) : undefined;
  const query = useQuery({
    ...trpc.admin.clusters.list.queryOptions({
      ...(q ? { q } : {}),
      ...(status ? { status } : {}),
      ...(region ? { region } : {}),
      ...(orgId ? { orgId } : {}),
    }),
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
  function onFilter(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const next = new URLSearchParams();
    for (const k of ["q", "status", "region"]) {
      const v = String(f.get(k) ?? "").trim();
      if (v) next.set(k, v);
    }
    if (orgId) next.set("orgId", orgId);
    router.replace(`/admin/clusters${next.size ? `?${next}` : ""}`);
  }
  return (
    <>
      <PageHeader
        title="Clusters"
        description="Every cluster across tenants (deleted ones only when filtered by status)."
      />
      <Card>
        <form onSubmit={onFilter} className="mb-4 flex flex-wrap items-end gap-3" aria-label="Filter clusters">
          <div className="w-72">
            <Input label="Name, id or tenant" name="q" defaultValue={q} />
          </div>
          <div className="w-44">
            <Select
              label="Status"
              name="status"
              defaultValue={status ?? ""}
              options={[{ value: "", label: "Any (not deleted)" }, ...STATUSES.map((s) => ({ value: s, label: s }))]}
            />
          </div>
          <div className="w-40">
            <Input label="Region" name="region" defaultValue={region} placeholder="local-1" />
          </div>
          <Button type="submit">Filter</Button>
          {query.isFetching ? <Spinner size="sm" /> : null}
        </form>
        <QueryState query={query}>
          {() => (
            <Table
              caption="Clusters"
              rows={query.data ?? []}
              rowKey={(c) => c.id}
              empty="No cluster matches."
              columns={[
                {
                  key: "name",
                  header: "Cluster",
                  cell: (c) => (
                    <Link className="font-medium text-indigo-600 hover:underline" href={`/admin/clusters/${c.id}`}>
                      {c.name}
                    </Link>
                  ),
                },
                {
                  key: "org",
                  header: "Tenant",
                  cell: (c) => (
                    <Link className="hover:underline" href={`/admin/tenants/${c.orgId}`}>
                      {c.orgName}
                    </Link>
                  ),
                },
                { key: "status", header: "Status", cell: (c) => <StatusBadge status={c.status} /> },
                { key: "region", header: "Region", cell: (c) => c.region },
                { key: "version", header: "Version", cell: (c) => c.version },
                { key: "nodes", header: "Nodes", cell: (c) => c.nodes },
                { key: "created", header: "Created", cell: (c) => formatDateTime(c.createdAt) },
              ]}
            />
          )}
        </QueryState>
      </Card>
    </>
  );
}

export function ClustersList() {
  return (
    <Suspense fallback={<Spinner />}>
      <Inner />
    </Suspense>
  );
}
