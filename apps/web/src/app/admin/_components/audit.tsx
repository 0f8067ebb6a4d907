"use client";

import { Badge, Button, buttonClasses, Card, Input, Spinner, Table } from "@nuage/ui";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { type FormEvent, Suspense, useState } from "react";
import { formatDateTime } from "~/lib/format";
import { useTRPC } from "~/trpc/client";
import { PageHeader, QueryState } from "./ui";

const KEYS = ["orgId", "actor", "action", "from", "to"] as const;

function Inner() {
  const trpc = useTRPC();
  const router = useRouter();
  const params = useSearchParams();
  const filter = Object.fromEntries(KEYS.flatMap((k) => (params.get(k) ? [[k, params.get(k)!]] : []))) as Partial<
    Record<(typeof KEYS)[number], string>
  >;
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const query = useQuery({
    ...trpc.admin.audit.list.queryOptions({
      ...filter,
      ...(filter.from ? { from: new Date(filter.from) } : {}),
      ...(filter.to ? { to: new Date(`${filter.to}T23:59:59.999Z`) } : {}),
      ...(cursor ? { cursor } : {}),
      limit: 50,
    }),
    placeholderData: keepPreviousData,
  });
  function onFilter(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const next = new URLSearchParams();
    for (const k of KEYS) {
      const v = String(f.get(k) ?? "").trim();
      if (v) next.set(k, v);
    }
    setCursors([undefined]);
    router.replace(`/admin/audit${next.size ? `?${next}` : ""}`);
  }
  const exportQs = new URLSearchParams(filter);
  if (filter.to) exportQs.set("to", `${filter.to}T23:59:59.999Z`);
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every tenant's and operator's actions. Times are UTC."
        actions={
          <a className={buttonClasses("secondary")} href={`/admin/audit/export?${exportQs}`} download>
            Export CSV
          </a>
        }
      />
      <Card>
        <form
          onSubmit={onFilter}
          className="mb-4 grid grid-cols-2 items-end gap-3 md:grid-cols-6"
          aria-label="Filter audit log"
        >
          <Input label="Org id" name="orgId" defaultValue={filter.orgId} />
          <Input label="Actor" name="actor" defaultValue={filter.actor} placeholder="e-mail, system, token" />
          <Input label="Action" name="action" defaultValue={filter.action} placeholder="admin.* or cluster.create" />
          <Input label="From" name="from" type="date" defaultValue={filter.from} />
          <Input label="To" name="to" type="date" defaultValue={filter.to} />
          <div className="flex items-center gap-2">
            <Button type="submit">Filter</Button>
            {query.isFetching ? <Spinner size="sm" /> : null}
          </div>
        </form>
        <QueryState query={query}>
          {() => (
            <Table
              caption="Audit log"
              rows={query.data?.items ?? []}
              rowKey={(r) => r.id}
              empty="No events match."
              columns={[
                { key: "when", header: "Time", cell: (r) => formatDateTime(r.createdAt) },
                {
                  key: "org",
                  header: "Tenant",
                  cell: (r) =>
                    r.orgId ? (
                      <Link className="text-indigo-600 hover:underline" href={`/admin/tenants/${r.orgId}`}>
                        {r.orgName ?? r.orgId.slice(0, 10)}
                      </Link>
                    ) : (
                      <span className="text-slate-400">platform</span>
                    ),
                },
                { key: "who", header: "Actor", cell: (r) => r.actorEmail ?? r.actorType },
                {
                  key: "what",
                  header: "Action",
                  cell: (r) => <Badge tone={r.action.startsWith("admin.") ? "amber" : "indigo"}>{r.action}</Badge>,
                },
                {
                  key: "target",
                  header: "Target",
                  cell: (r) => (r.targetType ? `${r.targetType} ${r.targetId ?? ""}` : "—"),
                },
                { key: "ip", header: "IP", cell: (r) => <span className="font-mono text-xs">{r.ip ?? "—"}</span> },
              ]}
            />
          )}
        </QueryState>
        <div className="mt-4 flex justify-end gap-2">
          <Button
            size="sm"
            variant="secondary"
            disabled={cursors.length <= 1}
            onClick={() => setCursors((c) => c.slice(0, -1))}
          >
            Previous
          </Button>
          <Button
            size="sm"
            variant="secondary"
            disabled={!query.data?.nextCursor}
            onClick={() => {
              const n = query.data?.nextCursor;
              if (n) setCursors((c) => [...c, n]);
            }}
          >
            Next
          </Button>
        </div>
      </Card>
    </>
  );
}

export function AdminAudit() {
  return (
    <Suspense fallback={<Spinner />}>
      <Inner />
    </Suspense>
  );
}
