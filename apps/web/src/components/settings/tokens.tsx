"use client";

import { Badge, Banner, Button, Card, type Column, ConfirmDialog, Input, Select, Spinner, Table } from "@nuage/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import type { TokenRow } from "~/lib/api-types";
import { fieldErrors, formError } from "~/lib/errors";
import { formatDateTime, formatRelative } from "~/lib/format";
import { canManage } from "~/lib/roles";
import { useTRPC } from "~/trpc/client";
import { useMe } from "../portal/me-context";
import { TokenCreatedDialog } from "./token-created";

const EXPIRY = [
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "365", label: "1 year" },
  { value: "never", label: "No expiry" },
];

function isExpired(t: TokenRow): boolean {
  return t.expiresAt !== null && new Date(t.expiresAt).getTime() <= Date.now();
}

export function Tokens() {
  const me = useMe();
  const trpc = useTRPC();
  const qc = useQueryClient();
  const form = useRef<HTMLFormElement>(null);
  const admin = canManage(me.currentOrg?.role);
  // Viewers and billing members cannot see tokens (the server refuses them too).
  const canList = admin || me.currentOrg?.role === "member";
  const list = useQuery({ ...trpc.tokens.list.queryOptions(), enabled: canList });
  const invalidate = () => qc.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() });
  const [shown, setShown] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<TokenRow | null>(null);
  const create = useMutation(
    trpc.tokens.create.mutationOptions({
      onSuccess: (res) => {
        setShown(res.token);
        form.current?.reset();
        return invalidate();
      },
    }),
  );
  const revoke = useMutation(trpc.tokens.revoke.mutationOptions({ onSuccess: invalidate }));

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const days = String(f.get("expiry"));
    create.mutate({
      name: String(f.get("name") ?? "").trim(),
      scope: String(f.get("scope")) === "write" ? "write" : "read",
      ...(days === "never" ? {} : { expiresAt: new Date(Date.now() + Number(days) * 86_400_000) }),
    });
  }

  const rows = (list.data ?? []).filter((t) => !t.revokedAt);
  const columns: Column<TokenRow>[] = [
    {
      key: "name",
      header: "Name",
      cell: (t) => (
        <div>
          <p className="font-medium text-slate-900">{t.name}</p>
          <p className="font-mono text-xs text-slate-500">{t.prefix}…</p>
        </div>
      ),
    },
    {
      key: "scope",
      header: "Scope",
      cell: (t) => <Badge tone={t.scope === "write" ? "amber" : "blue"}>{t.scope}</Badge>,
    },
    { key: "created", header: "Created", cell: (t) => formatDateTime(t.createdAt) },
    { key: "used", header: "Last used", cell: (t) => formatRelative(t.lastUsedAt) },
    {
      key: "expires",
      header: "Expires",
      cell: (t) =>
        isExpired(t) ? <Badge tone="red">Expired</Badge> : t.expiresAt ? formatDateTime(t.expiresAt) : "Never",
    },
    {
      key: "actions",
      header: <span className="sr-only">Actions</span>,
      className: "text-right",
      cell: (t) =>
        admin ? (
          <Button size="sm" variant="ghost-danger" onClick={() => setRevoking(t)} aria-label={`Revoke ${t.name}`}>
            Revoke
          </Button>
        ) : null,
    },
  ];
  const errs = fieldErrors(create.error);
  const top = formError(create.error, ["name", "scope", "expiresAt"]);
  return (
    <div className="space-y-6">
      {admin || !canList ? null : <Banner tone="info">Only owners and admins can create or revoke API tokens.</Banner>}
      {admin ? (
        <Card
          title="Create an API token"
          description="Tokens act on this organization through the REST API. Read tokens can only look; write tokens can change things."
        >
          <form
            ref={form}
            onSubmit={onSubmit}
            className="grid gap-4 md:grid-cols-[1fr_10rem_10rem_auto] md:items-start"
            aria-label="Create API token"
          >
            <Input label="Name" name="name" required placeholder="CI deploys" error={errs.name} />
            <Select
              label="Scope"
              name="scope"
              defaultValue="read"
              error={errs.scope}
              options={[
                { value: "read", label: "Read" },
                { value: "write", label: "Read & write" },
              ]}
            />
            <Select label="Expires in" name="expiry" defaultValue="90" error={errs.expiresAt} options={EXPIRY} />
            <Button type="submit" pending={create.isPending} className="md:mt-7">
              Create token
            </Button>
          </form>
          {top ? (
            <div className="mt-4">
              <Banner tone="error">{top}</Banner>
            </div>
          ) : null}
        </Card>
      ) : null}
      <Card
        title="API tokens"
        description="Revoke a token as soon as it is no longer needed."
        actions={
          <a
            href="/api/v1/openapi.json"
            target="_blank"
            rel="noreferrer"
            className="text-sm font-medium text-indigo-600 hover:text-indigo-500"
          >
            API reference (OpenAPI)
          </a>
        }
      >
        {!canList ? (
          <p className="text-sm text-slate-500">Your role cannot see this organization's API tokens.</p>
        ) : list.isPending ? (
          <div className="flex justify-center py-8">
            <Spinner />
          </div>
        ) : list.error ? (
          <Banner tone="error">{list.error.message}</Banner>
        ) : (
          <Table columns={columns} rows={rows} rowKey={(t) => t.id} caption="API tokens" empty="No API tokens yet." />
        )}
      </Card>
      <TokenCreatedDialog token={shown} onClose={() => setShown(null)} />
      <ConfirmDialog
        open={revoking !== null}
        onClose={() => {
          revoke.reset();
          setRevoking(null);
        }}
        onConfirm={() => revoking && revoke.mutate({ id: revoking.id }, { onSuccess: () => setRevoking(null) })}
        title="Revoke token?"
        description={`Anything using “${revoking?.name ?? ""}” will get 401 Unauthorized from now on.`}
        confirmLabel="Revoke token"
        pending={revoke.isPending}
        error={revoke.error?.message}
      />
    </div>
  );
}
