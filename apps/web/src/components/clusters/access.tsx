"use client";

import { Badge, Banner, Button, Card, type Column, ConfirmDialog, Select, Spinner, Table } from "@nuage/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { fieldErrors } from "~/lib/errors";
import { formatDateTime } from "~/lib/format";
import { canManage } from "~/lib/roles";
import { useTRPC, useTRPCClient } from "~/trpc/client";
import { useMe } from "../portal/me-context";
import { CopyButton } from "./copy-button";
import type { ClusterView } from "./types";
import { useCluster, useClusterId } from "./use-cluster";

export const LIFETIMES = [
  { value: "1", label: "1 hour" },
  { value: "8", label: "8 hours" },
  { value: "24", label: "1 day" },
  { value: "168", label: "7 days" },
  { value: "720", label: "30 days" },
];

interface CredentialRow {
  id: string;
  subject: string;
  groups: string[];
  serial: string;
  issuedAt: Date | string;
  expiresAt: Date | string;
  revokedAt: Date | string | null;
  status: string;
}

const CRED_TONE = { active: "green", expired: "gray", revoked: "red" } as const;

/** Saves text as a file the way a browser download does (no server round trip, nothing in a URL). */
function saveFile(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "application/yaml" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ClusterAccess() {
  const id = useClusterId();
  const me = useMe();
  const trpc = useTRPC();
  const qc = useQueryClient();
  const q = useCluster(id);
  const [ttl, setTtl] = useState("24");
  const [revoking, setRevoking] = useState<CredentialRow | null>(null);
  const creds = useQuery(trpc.credentials.list.queryOptions({ clusterId: id }));
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.credentials.list.queryKey({ clusterId: id }) });
  const client = useTRPCClient();
  // Each call issues a new credential: a query in the API (GET in REST), an action here, never cached.
  const issue = useMutation({
    mutationFn: (input: { id: string; ttlHours: number }) => client.clusters.kubeconfig.query(input),
    onSuccess: refresh,
  });
  const revoke = useMutation(
    trpc.credentials.revoke.mutationOptions({
      onSuccess: async () => {
        setRevoking(null);
        await refresh();
      },
    }),
  );
  if (!q.data) return null;
  const c = q.data as ClusterView;
  const file = `${c.name}-kubeconfig.yaml`;
  const ready = c.status === "running" || c.status === "updating" || c.status === "degraded";
  const admin = canManage(me.currentOrg?.role);
  const mayDownload = me.currentOrg?.role !== "billing";
  const ttlError = fieldErrors(issue.error).ttlHours;

  const columns: Column<CredentialRow>[] = [
    {
      key: "who",
      header: "Issued to",
      cell: (r) => (
        <div>
          <p className="font-medium text-slate-900">{r.subject}</p>
          <p className="text-xs text-slate-500">{r.groups.join(", ")}</p>
        </div>
      ),
    },
    { key: "issued", header: "Issued", cell: (r) => formatDateTime(r.issuedAt) },
    { key: "expires", header: "Expires", cell: (r) => formatDateTime(r.expiresAt) },
    {
      key: "status",
      header: "Status",
      cell: (r) => <Badge tone={CRED_TONE[r.status as keyof typeof CRED_TONE] ?? "gray"}>{r.status}</Badge>,
    },
    {
      key: "actions",
      header: <span className="sr-only">Actions</span>,
      className: "text-right",
      cell: (r) =>
        admin && r.status === "active" ? (
          <Button
            size="sm"
            variant="ghost-danger"
            onClick={() => setRevoking(r)}
            aria-label={`Revoke ${r.subject} ${r.serial}`}
          >
            Revoke
          </Button>
        ) : null,
    },
  ];

  return (
    <div className="space-y-6">
      <Card
        title="Kubeconfig"
        description="A personal client certificate for kubectl, signed by this cluster's certificate authority. Nuage does not keep its private key: download a new one when it expires."
      >
        {!mayDownload ? (
          <Banner tone="info">Your role has no access inside clusters.</Banner>
        ) : !ready ? (
          <Banner tone="info">A kubeconfig can be downloaded once the cluster is running.</Banner>
        ) : (
          <div className="flex flex-wrap items-end gap-3">
            <div className="w-48">
              <Select
                label="Lifetime"
                value={ttl}
                onChange={(e) => setTtl(e.target.value)}
                options={LIFETIMES}
                error={ttlError}
              />
            </div>
            <Button
              pending={issue.isPending}
              onClick={() =>
                issue.mutate(
                  { id: c.id, ttlHours: Number(ttl) },
                  { onSuccess: (res) => saveFile(file, res.kubeconfig) },
                )
              }
            >
              Download kubeconfig
            </Button>
          </div>
        )}
        {issue.error && !ttlError ? (
          <div className="mt-3">
            <Banner tone="error">{issue.error.message}</Banner>
          </div>
        ) : null}
        <div className="mt-5 rounded-md bg-slate-900 px-4 py-3 font-mono text-sm text-slate-100">
          <div className="flex items-center justify-between gap-3">
            <code data-testid="kubectl-hint">kubectl --kubeconfig {file} get nodes</code>
            <CopyButton
              value={`kubectl --kubeconfig ${file} get nodes`}
              label="Copy command"
              className="text-slate-300 hover:bg-slate-800 hover:text-white"
            />
          </div>
        </div>
        <p className="mt-2 text-xs text-slate-500">
          Your access inside the cluster follows your role here: owners and admins are cluster-admin, members can edit,
          viewers can view.
        </p>
      </Card>

      <Card
        title="Issued credentials"
        description={admin ? "Revoke a credential to cut its access within seconds." : undefined}
      >
        {creds.isPending ? (
          <div className="flex items-center gap-3 py-6 text-sm text-slate-500">
            <Spinner /> Loading credentials…
          </div>
        ) : creds.error ? (
          <Banner tone="error">{creds.error.message}</Banner>
        ) : (
          <Table
            columns={columns}
            rows={(creds.data ?? []) as CredentialRow[]}
            rowKey={(r) => r.id}
            caption="Issued credentials"
            empty="No kubeconfig has been downloaded for this cluster yet."
          />
        )}
      </Card>

      <ConfirmDialog
        open={revoking !== null}
        onClose={() => setRevoking(null)}
        title="Revoke credential?"
        description={
          revoking
            ? `kubectl with the kubeconfig issued to ${revoking.subject} on ${formatDateTime(revoking.issuedAt)} stops working.`
            : null
        }
        confirmLabel="Revoke credential"
        pending={revoke.isPending}
        error={revoke.error?.message}
        onConfirm={() => revoking && revoke.mutate({ id: revoking.id })}
      />
    </div>
  );
}
