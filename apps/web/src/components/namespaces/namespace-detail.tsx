"use client";

import {
  Badge,
  Banner,
  Button,
  Card,
  type Column,
  ConfirmDialog,
  Dialog,
  EmptyState,
  Input,
  Select,
  Spinner,
  Table,
} from "@nuage/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useParams, useRouter } from "next/navigation";
import { useState } from "react";
import { fieldErrors, formError, isNotFound } from "~/lib/errors";
import { formatDateTime } from "~/lib/format";
import { canManage } from "~/lib/roles";
import { useTRPC } from "~/trpc/client";
import { useClusterId } from "../clusters/use-cluster";
import { useMe } from "../portal/me-context";
import { draftFrom, draftToInput, type QuotaDraft, QuotaFields } from "./quota-fields";
import { ItemDialog, RevealDialog } from "./secret-dialogs";
import {
  formatBytes,
  type GrantRow,
  type ItemRow,
  KeyValueRows,
  quotaLabel,
  SyncBadge,
  toRecord,
  toRows,
  UsageBar,
} from "./shared";

function useNamespaceId(): string {
  return String(useParams<{ namespaceId: string }>().namespaceId);
}

export function NamespaceDetail() {
  const clusterId = useClusterId();
  const id = useNamespaceId();
  const trpc = useTRPC();
  const me = useMe();
  const ns = useQuery({
    ...trpc.namespaces.get.queryOptions({ id }),
    retry: false,
    refetchInterval: (q) => (q.state.data && q.state.data.syncStatus !== "synced" ? 2_000 : 10_000),
  });
  const back = (
    <Link href={`/clusters/${clusterId}/namespaces`} className="text-sm text-slate-500 hover:text-slate-700">
      ← Namespaces
    </Link>
  );
  if (ns.isPending)
    return (
      <div className="flex items-center gap-3 py-10 text-sm text-slate-500">
        <Spinner /> Loading the namespace…
      </div>
    );
  if (ns.error)
    return isNotFound(ns.error) ? (
      <EmptyState
        title="Namespace not found"
        description="It does not exist in this cluster, was deleted, or is outside your access."
        action={back}
      />
    ) : (
      <Banner tone="error" title="The namespace could not be loaded">
        {ns.error.message}
      </Banner>
    );
  const n = ns.data;
  const admin = canManage(me.currentOrg?.role);
  const role = me.currentOrg?.role;
  const canWrite = n.myAccess
    ? n.myAccess !== "viewer" && role !== "viewer"
    : role === "owner" || role === "admin" || role === "member";
  return (
    <div className="space-y-6">
      <div>
        {back}
        <div className="mt-1 flex flex-wrap items-center gap-3">
          <h2 className="text-xl font-semibold text-slate-900" data-testid="namespace-name">
            {n.name}
          </h2>
          <SyncBadge status={n.syncStatus} message={n.syncMessage} deleting={n.deleting} />
          <Badge tone="indigo">{n.template}</Badge>
          {Object.entries(n.labels).map(([k, v]) => (
            <Badge key={k}>
              {k}={v}
            </Badge>
          ))}
          {n.myAccess ? <Badge tone="blue">Your access: {n.myAccess}</Badge> : null}
        </div>
      </div>
      {n.deleting ? (
        <Banner tone="warning" title="Being deleted">
          The namespace and everything in it are being removed from the cluster.
        </Banner>
      ) : null}
      <UsageCard id={id} />
      <ItemsCard namespaceId={id} kind="secret" canWrite={canWrite && !n.deleting} canReveal={admin} />
      <ItemsCard namespaceId={id} kind="configmap" canWrite={canWrite && !n.deleting} canReveal={false} />
      <AccessCard namespaceId={id} admin={admin && !n.deleting} />
      {admin && !n.deleting ? <SettingsCard ns={n} clusterId={clusterId} /> : null}
    </div>
  );
}

function UsageCard({ id }: { id: string }) {
  const trpc = useTRPC();
  const usage = useQuery({ ...trpc.namespaces.usage.queryOptions({ id }), refetchInterval: 3_000 });
  return (
    <Card title="Usage" description="Live from the cluster's ResourceQuota status, against each quota.">
      {usage.isPending ? (
        <div className="flex items-center gap-2 text-sm text-slate-500">
          <Spinner size="sm" /> Reading the cluster…
        </div>
      ) : usage.error ? (
        <Banner tone="error">{usage.error.message}</Banner>
      ) : usage.data.items.length === 0 ? (
        <p className="text-sm text-slate-500">No quota: nothing is limited in this namespace.</p>
      ) : (
        <div className="space-y-4">
          {!usage.data.live && usage.data.reason ? <Banner tone="info">{usage.data.reason}</Banner> : null}
          <div
            className="grid grid-cols-1 gap-x-8 gap-y-4 sm:grid-cols-2"
            data-testid="usage-bars"
            data-live={usage.data.live ? "true" : "false"}
          >
            {usage.data.items.map((i) => (
              <UsageBar key={i.resource} label={quotaLabel(i.resource)} {...i} />
            ))}
          </div>
        </div>
      )}
    </Card>
  );
}

function ItemsCard({
  namespaceId,
  kind,
  canWrite,
  canReveal,
}: {
  namespaceId: string;
  kind: "secret" | "configmap";
  canWrite: boolean;
  canReveal: boolean;
}) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const proc = kind === "secret" ? trpc.secrets.list : trpc.configMaps.list;
  const list = useQuery({
    ...proc.queryOptions({ namespaceId }),
    refetchInterval: (q) =>
      (q.state.data as ItemRow[] | undefined)?.some((i) => i.syncStatus !== "synced" || i.deleting) ? 2_000 : 10_000,
  });
  const [dialog, setDialog] = useState<{ existing: ItemRow | null } | null>(null);
  const [deleting, setDeleting] = useState<ItemRow | null>(null);
  const [revealing, setRevealing] = useState<ItemRow | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: proc.queryKey({ namespaceId }) });
  const delSecret = useMutation(
    trpc.secrets.delete.mutationOptions({
      onSuccess: async () => {
        setDeleting(null);
        await refresh();
      },
    }),
  );
  const delCm = useMutation(
    trpc.configMaps.delete.mutationOptions({
      onSuccess: async () => {
        setDeleting(null);
        await refresh();
      },
    }),
  );
  const del = kind === "secret" ? delSecret : delCm;
  const title = kind === "secret" ? "Secrets" : "ConfigMaps";
  const columns: Column<ItemRow>[] = [
    {
      key: "name",
      header: "Name",
      cell: (i) => <span className="font-mono font-medium text-slate-900">{i.name}</span>,
    },
    ...(kind === "secret"
      ? [
          {
            key: "type",
            header: "Type",
            cell: (i: ItemRow) => <span className="text-xs text-slate-600">{i.type}</span>,
          },
        ]
      : []),
    {
      key: "keys",
      header: kind === "secret" ? "Keys (values hidden)" : "Data",
      cell: (i) =>
        kind === "secret" ? (
          <span className="font-mono text-xs">{i.keys.join(", ")}</span>
        ) : (
          <span className="font-mono text-xs">
            {Object.entries(i.data ?? {})
              .map(([k, v]) => `${k}=${v.length > 40 ? `${v.slice(0, 40)}…` : v}`)
              .join(", ")}
          </span>
        ),
    },
    {
      key: "version",
      header: "Version",
      cell: (i) => (
        <span className="text-xs">
          v{i.version} · {formatBytes(i.size)}
        </span>
      ),
    },
    {
      key: "sync",
      header: "Sync",
      cell: (i) => <SyncBadge status={i.syncStatus} message={i.syncMessage} deleting={i.deleting} />,
    },
    {
      key: "actions",
      header: <span className="sr-only">Actions</span>,
      className: "text-right",
      cell: (i) =>
        i.deleting ? null : (
          <div className="flex justify-end gap-1">
            {canReveal ? (
              <Button size="sm" variant="ghost" onClick={() => setRevealing(i)} aria-label={`Reveal ${i.name}`}>
                Reveal
              </Button>
            ) : null}
            {canWrite ? (
              <>
                <Button
                  size="sm"
                  variant="ghost"
                  onClick={() => setDialog({ existing: i })}
                  aria-label={`Update ${i.name}`}
                >
                  Update
                </Button>
                <Button size="sm" variant="ghost-danger" onClick={() => setDeleting(i)} aria-label={`Delete ${i.name}`}>
                  Delete
                </Button>
              </>
            ) : null}
          </div>
        ),
    },
  ];
  return (
    <Card
      title={title}
      description={
        kind === "secret"
          ? "Encrypted at rest in Nuage and in the cluster. Values are write-only."
          : "Plain configuration for the namespace's pods."
      }
      actions={
        canWrite ? (
          <Button size="sm" onClick={() => setDialog({ existing: null })}>
            Add {kind === "secret" ? "secret" : "ConfigMap"}
          </Button>
        ) : null
      }
    >
      {list.isPending ? (
        <div className="flex items-center gap-2 text-sm text-slate-500">
          <Spinner size="sm" /> Loading…
        </div>
      ) : list.error ? (
        <Banner tone="error">{list.error.message}</Banner>
      ) : (
        <div data-testid={`${kind}-list`}>
          <Table
            caption={title}
            columns={columns}
            rows={list.data}
            rowKey={(i) => i.id}
            empty={<p className="py-4 text-center text-sm text-slate-500">No {title.toLowerCase()} yet.</p>}
          />
        </div>
      )}
      {dialog ? (
        <ItemDialog
          key={dialog.existing?.id ?? "new"}
          open
          onClose={() => setDialog(null)}
          namespaceId={namespaceId}
          kind={kind}
          existing={dialog.existing}
        />
      ) : null}
      <ConfirmDialog
        open={!!deleting}
        onClose={() => setDeleting(null)}
        onConfirm={() => deleting && del.mutate({ id: deleting.id })}
        title={`Delete ${deleting?.name ?? ""}?`}
        description="It is removed from the cluster too; pods that read it will fail to start."
        confirmLabel="Delete"
        pending={del.isPending}
        error={del.error?.message}
      />
      {kind === "secret" ? <RevealDialog item={revealing} onClose={() => setRevealing(null)} /> : null}
    </Card>
  );
}

function AccessCard({ namespaceId, admin }: { namespaceId: string; admin: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const grants = useQuery({ ...trpc.namespaceAccess.list.queryOptions({ namespaceId }), refetchInterval: 10_000 });
  const members = useQuery({ ...trpc.members.list.queryOptions(), enabled: admin });
  const [userId, setUserId] = useState("");
  const [role, setRole] = useState<"admin" | "editor" | "viewer">("editor");
  const [removing, setRemoving] = useState<GrantRow | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.namespaceAccess.list.queryKey({ namespaceId }) });
  const add = useMutation(
    trpc.namespaceAccess.create.mutationOptions({
      onSuccess: async () => {
        setUserId("");
        await refresh();
      },
    }),
  );
  const remove = useMutation(
    trpc.namespaceAccess.delete.mutationOptions({
      onSuccess: async () => {
        setRemoving(null);
        await refresh();
      },
    }),
  );
  const candidates = (members.data ?? []).filter(
    (m) => (m.role === "member" || m.role === "viewer") && !grants.data?.some((g) => g.userId === m.userId),
  );
  const errs = fieldErrors(add.error);
  const columns: Column<GrantRow>[] = [
    { key: "who", header: "Member", cell: (g) => <span>{g.email ?? g.userId}</span> },
    { key: "role", header: "Access", cell: (g) => <Badge tone="indigo">namespace {g.role}</Badge> },
    {
      key: "since",
      header: "Since",
      cell: (g) => <span className="text-xs text-slate-500">{formatDateTime(g.createdAt)}</span>,
    },
    {
      key: "sync",
      header: "Sync",
      cell: (g) => <SyncBadge status={g.syncStatus} message={g.syncMessage} deleting={g.deleting} />,
    },
    {
      key: "actions",
      header: <span className="sr-only">Actions</span>,
      className: "text-right",
      cell: (g) =>
        admin && !g.deleting ? (
          <Button
            size="sm"
            variant="ghost-danger"
            onClick={() => setRemoving(g)}
            aria-label={`Remove access of ${g.email ?? g.userId}`}
          >
            Remove
          </Button>
        ) : null,
    },
  ];
  return (
    <Card
      title="Access"
      description="Members and viewers given access here work in this namespace only: their kubeconfig carries no cluster-wide rights. They download a new kubeconfig after being added."
    >
      {grants.isPending ? (
        <Spinner size="sm" />
      ) : grants.error ? (
        <Banner tone="error">{grants.error.message}</Banner>
      ) : (
        <Table
          caption="Access grants"
          columns={columns}
          rows={grants.data}
          rowKey={(g) => g.id}
          empty={
            <p className="py-4 text-center text-sm text-slate-500">Nobody has access limited to this namespace.</p>
          }
        />
      )}
      {admin ? (
        <form
          className="mt-4 flex flex-wrap items-end gap-3 border-t border-slate-100 pt-4"
          onSubmit={(e) => {
            e.preventDefault();
            if (userId) add.mutate({ namespaceId, userId, role });
          }}
        >
          <div className="min-w-56 flex-1">
            <Select
              label="Member"
              value={userId}
              onChange={(e) => setUserId(e.target.value)}
              error={errs.userId}
              options={[
                {
                  value: "",
                  label: candidates.length ? "Choose a member or viewer…" : "No member or viewer left to add",
                },
                ...candidates.map((m) => ({ value: m.userId, label: `${m.email} (${m.role})` })),
              ]}
            />
          </div>
          <div className="w-44">
            <Select
              label="Namespace role"
              value={role}
              onChange={(e) => setRole(e.target.value as typeof role)}
              error={errs.role}
              options={[
                { value: "admin", label: "Namespace admin" },
                { value: "editor", label: "Namespace editor" },
                { value: "viewer", label: "Namespace viewer" },
              ]}
            />
          </div>
          <Button type="submit" pending={add.isPending} disabled={!userId}>
            Give access
          </Button>
          {formError(add.error, ["userId", "role"]) ? (
            <p role="alert" className="w-full text-sm text-red-600">
              {formError(add.error, ["userId", "role"])}
            </p>
          ) : null}
        </form>
      ) : null}
      <ConfirmDialog
        open={!!removing}
        onClose={() => setRemoving(null)}
        onConfirm={() => removing && remove.mutate({ id: removing.id })}
        title="Remove this access?"
        description={`${removing?.email ?? "The member"} loses access to this namespace in the cluster within seconds.`}
        confirmLabel="Remove"
        pending={remove.isPending}
        error={remove.error?.message}
      />
    </Card>
  );
}

function SettingsCard({
  ns,
  clusterId,
}: {
  ns: {
    id: string;
    name: string;
    protected: boolean;
    labels: Record<string, string>;
    quota: Record<string, string | undefined>;
    limits: { defaultRequest?: { cpu?: string; memory?: string }; default?: { cpu?: string; memory?: string } };
  };
  clusterId: string;
}) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const router = useRouter();
  const [draft, setDraft] = useState<QuotaDraft>(() => draftFrom(ns.quota, ns.limits));
  const [labels, setLabels] = useState(() => toRows(ns.labels));
  const [confirming, setConfirming] = useState(false);
  const [confirmName, setConfirmName] = useState("");
  const save = useMutation(
    trpc.namespaces.update.mutationOptions({
      onSuccess: () => qc.invalidateQueries({ queryKey: trpc.namespaces.get.queryKey({ id: ns.id }) }),
    }),
  );
  const del = useMutation(
    trpc.namespaces.delete.mutationOptions({
      onSuccess: async () => {
        await qc.invalidateQueries({ queryKey: trpc.namespaces.list.queryKey({ clusterId }) });
        router.push(`/clusters/${clusterId}/namespaces`);
      },
    }),
  );
  const errors = fieldErrors(save.error);
  const shown = Object.keys(errors).filter((k) => k.startsWith("quota.") || k.startsWith("limits."));
  return (
    <>
      <Card
        title="Quota and labels"
        description="Changes are checked against your plan and the cluster's nodes, then applied to the cluster."
      >
        <form
          className="space-y-4"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate({ id: ns.id, labels: toRecord(labels), ...draftToInput(draft) });
          }}
        >
          <QuotaFields draft={draft} onChange={setDraft} errors={errors} />
          <fieldset>
            <legend className="text-sm font-semibold text-slate-900">Labels</legend>
            <div className="mt-2">
              <KeyValueRows name="Label" rows={labels} onChange={setLabels} />
            </div>
          </fieldset>
          {formError(save.error, shown) ? <Banner tone="error">{formError(save.error, shown)}</Banner> : null}
          {save.isSuccess ? <p className="text-sm text-emerald-700">Saved; the cluster is being updated.</p> : null}
          <div className="flex justify-end">
            <Button type="submit" pending={save.isPending}>
              Save
            </Button>
          </div>
        </form>
      </Card>
      {ns.protected ? null : (
        <Card title="Delete namespace" description="Removes the namespace and everything in it from the cluster.">
          <Button variant="danger" onClick={() => setConfirming(true)}>
            Delete namespace
          </Button>
          <Dialog
            open={confirming}
            onClose={() => setConfirming(false)}
            title={`Delete ${ns.name}?`}
            description="Every workload, secret and volume claim in it is deleted from the cluster. This cannot be undone."
            footer={
              <>
                <Button variant="secondary" onClick={() => setConfirming(false)} disabled={del.isPending}>
                  Cancel
                </Button>
                <Button
                  variant="danger"
                  disabled={confirmName !== ns.name}
                  pending={del.isPending}
                  onClick={() => del.mutate({ id: ns.id, confirmName })}
                >
                  Delete
                </Button>
              </>
            }
          >
            <Input
              label={`Type ${ns.name} to confirm`}
              value={confirmName}
              autoComplete="off"
              onChange={(e) => setConfirmName(e.target.value)}
              error={del.error?.message}
            />
          </Dialog>
        </Card>
      )}
    </>
  );
}
