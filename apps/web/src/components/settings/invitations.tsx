"use client";

import { Badge, Banner, Button, Card, type Column, ConfirmDialog, Input, Select, Table } from "@nuage/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import type { InvitationRow } from "~/lib/api-types";
import { fieldErrors, formError } from "~/lib/errors";
import { formatDateTime } from "~/lib/format";
import { ROLE_HELP, ROLE_LABEL, ROLES, type Role } from "~/lib/roles";
import { useTRPC } from "~/trpc/client";
import { useMe } from "../portal/me-context";

export function Invitations() {
  const me = useMe();
  const trpc = useTRPC();
  const qc = useQueryClient();
  const form = useRef<HTMLFormElement>(null);
  const list = useQuery(trpc.invitations.list.queryOptions());
  const invalidate = () => qc.invalidateQueries({ queryKey: trpc.invitations.list.queryKey() });
  const create = useMutation(
    trpc.invitations.create.mutationOptions({
      onSuccess: () => {
        form.current?.reset();
        setRole("member");
        return invalidate();
      },
    }),
  );
  const revoke = useMutation(trpc.invitations.revoke.mutationOptions({ onSuccess: invalidate }));
  const [revoking, setRevoking] = useState<InvitationRow | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [role, setRole] = useState<Role>("member");

  // Only an owner may hand out the owner role.
  const roles = ROLES.filter((r) => r !== "owner" || me.currentOrg?.role === "owner");
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const email = String(f.get("email") ?? "").trim();
    setSentTo(null);
    create.mutate({ email, role: String(f.get("role")) as Role }, { onSuccess: () => setSentTo(email) });
  }
  // Pending ones, and expired ones until someone revokes them; accepted and revoked are history.
  const rows = (list.data ?? []).filter((i) => i.status === "valid" || i.status === "expired");
  const columns: Column<InvitationRow>[] = [
    { key: "email", header: "E-mail", cell: (i) => <span className="font-medium text-slate-900">{i.email}</span> },
    { key: "role", header: "Role", cell: (i) => <Badge>{ROLE_LABEL[i.role] ?? i.role}</Badge> },
    { key: "sent", header: "Sent", cell: (i) => formatDateTime(i.createdAt) },
    {
      key: "expires",
      header: "Expires",
      cell: (i) => (i.status === "expired" ? <Badge tone="red">Expired</Badge> : formatDateTime(i.expiresAt)),
    },
    {
      key: "actions",
      header: <span className="sr-only">Actions</span>,
      className: "text-right",
      cell: (i) => (
        <Button size="sm" variant="ghost-danger" onClick={() => setRevoking(i)}>
          Revoke
        </Button>
      ),
    },
  ];
  const errs = fieldErrors(create.error);
  const top = formError(create.error, ["email", "role"]);
  return (
    <Card title="Invite a colleague" description="They get an e-mail with a link to join this organization.">
      <form
        ref={form}
        onSubmit={onSubmit}
        className="grid gap-4 md:grid-cols-[1fr_12rem_auto] md:items-start"
        aria-label="Invite member"
      >
        <Input
          label="E-mail"
          name="email"
          type="email"
          required
          placeholder="colleague@example.com"
          error={errs.email}
        />
        <Select
          label="Role"
          name="role"
          error={errs.role}
          value={role}
          onChange={(e) => setRole(e.target.value as Role)}
          hint={ROLE_HELP[role]}
          options={roles.map((r) => ({ value: r, label: ROLE_LABEL[r] }))}
        />
        <Button type="submit" pending={create.isPending} className="md:mt-7">
          Send invitation
        </Button>
      </form>
      <div className="mt-4 space-y-4">
        {top ? <Banner tone="error">{top}</Banner> : null}
        {sentTo ? <Banner tone="success">Invitation sent to {sentTo}.</Banner> : null}
        <h3 className="pt-2 text-sm font-semibold text-slate-900">Pending invitations</h3>
        {list.error ? (
          <Banner tone="error">{list.error.message}</Banner>
        ) : (
          <Table
            columns={columns}
            rows={rows}
            rowKey={(i) => i.id}
            caption="Pending invitations"
            empty={list.isPending ? "Loading…" : "No pending invitations."}
          />
        )}
      </div>
      <ConfirmDialog
        open={revoking !== null}
        onClose={() => {
          revoke.reset();
          setRevoking(null);
        }}
        onConfirm={() => revoking && revoke.mutate({ id: revoking.id }, { onSuccess: () => setRevoking(null) })}
        title="Revoke invitation?"
        description={`The link sent to ${revoking?.email ?? ""} will stop working.`}
        confirmLabel="Revoke"
        pending={revoke.isPending}
        error={revoke.error?.message}
      />
    </Card>
  );
}
