"use client";

import { Button, Card, Input, Select, Spinner, Table } from "@nuage/ui";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { type FormEvent, Suspense } from "react";
import { formatDateTime } from "~/lib/format";
import { useTRPC } from "~/trpc/client";
import { PageHeader, QueryState, TenantStatusBadge } from "./ui";

const STATUSES = ["active", "trial", "suspended", "deleting", "deleted"] as const;
type Status = (typeof STATUSES)[number];

function TenantsInner() {
  const trpc = useTRPC();
  const router = useRouter();
  const params = useSearchParams();
  const q = params.get("q") ?? "";
  const status = (STATUSES as readonly string[]).includes(params.get("status") ?? "")
    ? (params.get("status") as Status)
    : undefined;
  const query = useQuery({
    ...trpc.admin.tenants.search.queryOptions({ ...(q ? { q } : {}), ...(status ? { status } : {}) }),
    placeholderData: keepPreviousData,
  });
  function onSearch(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const next = new URLSearchParams();
    const nq = String(f.get("q") ?? "").trim();
    const ns = String(f.get("status") ?? "");
    if (nq) next.set("q", nq);
    if (ns) next.set("status", ns);
    router.replace(`/admin/tenants${next.size ? `?${next}` : ""}`);
  }
  return (
    <>
      <PageHeader title="Tenants" description="Search by organization name, id, or a member's e-mail." />
      <Card>
        <form onSubmit={onSearch} className="mb-4 flex flex-wrap items-end gap-3" aria-label="Search tenants">
          <div className="w-80">
            <Input label="Search" name="q" placeholder="acme, org id, or someone@example.com" defaultValue={q} />
          </div>
          <div className="w-44">
            <Select
              label="Status"
              name="status"
              defaultValue={status ?? ""}
              options={[{ value: "", label: "Any" }, ...STATUSES.map((s) => ({ value: s, label: s }))]}
            />
          </div>
          <Button type="submit">Search</Button>
          {query.isFetching ? <Spinner size="sm" /> : null}
        </form>
        <QueryState query={query}>
          {() => (
            <Table
              caption="Tenants"
              rows={query.data ?? []}
              rowKey={(t) => t.id}
              empty={q ? `No tenant matches “${q}”.` : "No tenants yet."}
              columns={[
                {
                  key: "name",
                  header: "Organization",
                  cell: (t) => (
                    <Link className="font-medium text-indigo-600 hover:underline" href={`/admin/tenants/${t.id}`}>
                      {t.name}
                    </Link>
                  ),
                },
                { key: "owner", header: "Owner", cell: (t) => t.ownerEmail ?? "—" },
                { key: "status", header: "Status", cell: (t) => <TenantStatusBadge status={t.status} /> },
                { key: "plan", header: "Plan", cell: (t) => t.plan },
                { key: "members", header: "Members", cell: (t) => t.members },
                { key: "clusters", header: "Clusters", cell: (t) => t.clusters },
                { key: "created", header: "Created", cell: (t) => formatDateTime(t.createdAt) },
              ]}
            />
          )}
        </QueryState>
      </Card>
    </>
  );
}

export function Tenants() {
  return (
    <Suspense fallback={<Spinner />}>
      <TenantsInner />
    </Suspense>
  );
}
