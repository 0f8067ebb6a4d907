"use client";

import { Badge, Banner, Button, Card, type Column, ConfirmDialog, Spinner, Table } from "@nuage/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { MemberRow } from "~/lib/api-types";
import { formatDateTime } from "~/lib/format";
import { canManage, ROLE_LABEL, ROLES, type Role } from "~/lib/roles";
import { useTRPC } from "~/trpc/client";
import { useMe } from "../portal/me-context";
import { Invitations } from "./invitations";

export function Members() {
  const me = useMe();
  const trpc = useTRPC();
  const qc = useQueryClient();
  const manage = canManage(me.currentOrg?.role);
  const list = useQuery(trpc.members.list.queryOptions());
  const invalidate = () => qc.invalidateQueries({ queryKey: trpc.members.list.queryKey() });
  const listKey = trpc.members.list.queryKey();
  // The new role shows at once; a refusal puts the old one back (and the error above the table).
  const updateRole = useMutation(
    trpc.members.updateRole.mutationOptions({
      onMutate: async ({ userId, role }) => {
        await qc.cancelQueries({ queryKey: listKey });
        const before = qc.getQueryData(listKey);
        qc.setQueryData(listKey, (rows) => rows?.map((r) => (r.userId === userId ? { ...r, role } : r)));
        return { before };
      },
      onError: (_e, _v, saved) => {
        if (saved?.before) qc.setQueryData(listKey, saved.before);
      },
      onSettled: invalidate,
    }),
  );
  const remove = useMutation(trpc.members.remove.mutationOptions({ onSuccess: invalidate }));
  const leave = useMutation(
    trpc.members.leave.mutationOptions({ onSuccess: () => window.location.assign("/dashboard") }),
  );
  const [removing, setRemoving] = useState<MemberRow | null>(null);
  const [leaving, setLeaving] = useState(false);

  const rows = list.data ?? [];
  const columns: Column<MemberRow>[] = [
    {
      key: "name",
      header: "Member",
      cell: (m) => (
        <div>
          <p className="font-medium text-slate-900">
            {m.name || m.email}
            {m.userId === me.user.id ? <span className="ml-2 text-xs font-normal text-slate-400">(you)</span> : null}
          </p>
          <p className="text-xs text-slate-500">{m.email}</p>
        </div>
      ),
    },
    {
      key: "role",
      header: "Role",
      cell: (m) =>
        manage && m.userId !== me.user.id ? (
          <select
            aria-label={`Role of ${m.email}`}
            value={m.role}
            disabled={updateRole.isPending}
            onChange={(e) => updateRole.mutate({ userId: m.userId, role: e.target.value as Role })}
            className="rounded-md border-0 py-1 pr-8 pl-2 text-sm ring-1 ring-slate-300 ring-inset focus:ring-2 focus:ring-indigo-600"
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABEL[r]}
              </option>
            ))}
          </select>
        ) : (
          <Badge tone={m.role === "owner" ? "indigo" : "gray"}>{ROLE_LABEL[m.role] ?? m.role}</Badge>
        ),
    },
    { key: "joined", header: "Joined", cell: (m) => formatDateTime(m.joinedAt) },
    {
      key: "actions",
      header: <span className="sr-only">Actions</span>,
      className: "text-right",
      cell: (m) =>
        m.userId === me.user.id ? (
          <Button size="sm" variant="ghost" onClick={() => setLeaving(true)}>
            Leave
          </Button>
        ) : manage ? (
          <Button size="sm" variant="ghost-danger" onClick={() => setRemoving(m)}>
            Remove
          </Button>
        ) : null,
    },
  ];

  return (
    <div className="space-y-6">
      <Card title="Members" description="People with access to this organization.">
        {updateRole.error ? (
          <div className="mb-4">
            <Banner tone="error">{updateRole.error.message}</Banner>
          </div>
        ) : null}
        {list.isPending ? (
          <div className="flex justify-center py-8">
            <Spinner />
          </div>
        ) : list.error ? (
          <Banner tone="error">{list.error.message}</Banner>
        ) : (
          <Table columns={columns} rows={rows} rowKey={(m) => m.userId} caption="Members" />
        )}
      </Card>
      {manage ? <Invitations /> : null}
      <ConfirmDialog
        open={removing !== null}
        onClose={() => {
          remove.reset();
          setRemoving(null);
        }}
        onConfirm={() => removing && remove.mutate({ userId: removing.userId }, { onSuccess: () => setRemoving(null) })}
        title="Remove member?"
        description={`${removing?.email ?? ""} will lose access to this organization immediately.`}
        confirmLabel="Remove"
        pending={remove.isPending}
        error={remove.error?.message}
      />
      <ConfirmDialog
        open={leaving}
        onClose={() => {
          leave.reset();
          setLeaving(false);
        }}
        onConfirm={() => leave.mutate()}
        title="Leave this organization?"
        description="You will lose access until someone invites you again."
        confirmLabel="Leave"
        pending={leave.isPending}
        error={leave.error?.message}
      />
    </div>
  );
}
