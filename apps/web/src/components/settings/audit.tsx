"use client";

import { Badge, Banner, Button, Card, type Column, Input, Spinner, Table } from "@nuage/ui";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import type { AuditRow } from "~/lib/api-types";
import { formatDateTime } from "~/lib/format";
import { canManage } from "~/lib/roles";
import { useTRPC } from "~/trpc/client";
import { useMe } from "../portal/me-context";

const PAGE = 25;

function who(r: AuditRow): string {
  if (r.actorEmail) return r.actorEmail;
  if (r.actorType === "token") return `API token ${r.actorTokenName ?? r.actorTokenId?.slice(0, 8) ?? ""}`.trim();
  return r.actorType ?? "system";
}

export function AuditLog() {
  const me = useMe();
  const trpc = useTRPC();
  const [action, setAction] = useState("");
  // A stack of cursors: the first page has none.
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const query = useQuery({
    ...trpc.audit.list.queryOptions({
      limit: PAGE,
      ...(cursor ? { cursor } : {}),
      ...(action ? { action } : {}),
    }),
    placeholderData: keepPreviousData,
    enabled: canManage(me.currentOrg?.role),
  });
  if (!canManage(me.currentOrg?.role))
    return <Banner tone="info">Only owners and admins can read the audit log.</Banner>;

  const rows = query.data?.items ?? [];
  const next = query.data?.nextCursor ?? null;
  function onFilter(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setAction(String(new FormData(e.currentTarget).get("action") ?? "").trim());
    setCursors([undefined]);
  }
  const columns: Column<AuditRow>[] = [
    { key: "time", header: "Time", cell: (r) => formatDateTime(r.createdAt) },
    { key: "who", header: "Who", cell: (r) => <span className="text-slate-900">{who(r)}</span> },
    { key: "what", header: "What", cell: (r) => <Badge tone="indigo">{r.action}</Badge> },
    {
      key: "target",
      header: "Target",
      cell: (r) =>
        r.targetType ? (
          <span>
            {r.targetType} <span className="font-mono text-xs text-slate-500">{r.targetId?.slice(0, 12)}</span>
          </span>
        ) : (
          "—"
        ),
    },
    { key: "ip", header: "IP", cell: (r) => <span className="font-mono text-xs">{r.ip ?? "—"}</span> },
  ];
  return (
    <Card title="Audit log" description="Who did what in this organization. Times are UTC.">
      <form onSubmit={onFilter} className="mb-4 flex items-end gap-3" aria-label="Filter audit log">
        <div className="w-72">
          <Input label="Action" name="action" placeholder="e.g. token.create" defaultValue={action} />
        </div>
        <Button type="submit" variant="secondary">
          Filter
        </Button>
        {action ? (
          <Button
            variant="ghost"
            onClick={() => {
              setAction("");
              setCursors([undefined]);
            }}
          >
            Clear
          </Button>
        ) : null}
        {query.isFetching ? <Spinner size="sm" /> : null}
      </form>
      {query.error ? (
        <Banner tone="error">{query.error.message}</Banner>
      ) : query.isPending ? (
        <div className="flex justify-center py-8">
          <Spinner />
        </div>
      ) : (
        <Table columns={columns} rows={rows} rowKey={(r) => r.id} caption="Audit log" empty="No events match." />
      )}
      <div className="mt-4 flex items-center justify-between">
        <p className="text-xs text-slate-500">Page {cursors.length}</p>
        <div className="flex gap-2">
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
            disabled={!next}
            onClick={() => next && setCursors((c) => [...c, next])}
          >
            Next
          </Button>
        </div>
      </div>
    </Card>
  );
}
