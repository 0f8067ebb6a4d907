"use client";

import { Badge, Banner, Button, Card, Dialog, Input, Table } from "@nuage/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { StatusBadge } from "~/components/clusters/status-badge";
import { fieldErrors, formError } from "~/lib/errors";
import { formatDateTime } from "~/lib/format";
import { useTRPC } from "~/trpc/client";
import { type AdminOutputs, PageHeader, QueryState } from "./ui";

type Cluster = AdminOutputs["clusters"]["get"];

export function ClusterDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const q = useQuery({ ...trpc.admin.clusters.get.queryOptions({ id }), refetchInterval: 5_000 });
  return <QueryState query={q}>{() => <View c={q.data!} />}</QueryState>;
}

function View({ c }: { c: Cluster }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const onSuccess = () => void qc.invalidateQueries({ queryKey: trpc.admin.clusters.get.queryKey({ id: c.id }) });
  const retry = useMutation(trpc.admin.clusters.retryOperation.mutationOptions({ onSuccess }));
  const reconcile = useMutation(trpc.admin.clusters.reconcile.mutationOptions({ onSuccess }));
  const force = useMutation(trpc.admin.clusters.forceDelete.mutationOptions({ onSuccess }));
  const [deleting, setDeleting] = useState(false);
  const [confirm, setConfirm] = useState("");
  const latest = c.operations[0];
  return (
    <>
      <PageHeader
        title={
          <span className="flex items-center gap-3">
            <span data-testid="cluster-name">{c.name}</span>
            <StatusBadge status={c.status} />
          </span>
        }
        description={
          <>
            <Link className="text-indigo-600 hover:underline" href={`/admin/tenants/${c.orgId}`}>
              {c.orgName}
            </Link>{" "}
            · {c.region} · {c.version}
            {c.haControlPlane ? " · HA" : ""} · <span className="font-mono text-xs">{c.id}</span>
          </>
        }
        actions={
          <>
            <Button variant="secondary" pending={reconcile.isPending} onClick={() => reconcile.mutate({ id: c.id })}>
              Trigger reconcile
            </Button>
            {c.status !== "deleted" ? (
              <Button variant="danger" onClick={() => setDeleting(true)}>
                Force delete
              </Button>
            ) : null}
          </>
        }
      />
      <div className="space-y-6">
        {c.statusMessage ? <Banner tone={c.status === "error" ? "error" : "info"}>{c.statusMessage}</Banner> : null}
        {reconcile.data ? <Banner tone="success">{reconcile.data.note}</Banner> : null}
        {reconcile.error ? <Banner tone="error">{reconcile.error.message}</Banner> : null}
        {retry.error ? <Banner tone="error">{retry.error.message}</Banner> : null}

        <Card title="Operations" description="Newest first, with their steps">
          {c.operations.length === 0 ? (
            <p className="text-sm text-slate-500">No operations.</p>
          ) : (
            <ul className="divide-y divide-slate-100">
              {c.operations.map((o) => (
                <li key={o.id} className="py-3" data-testid="admin-operation" data-status={o.status}>
                  <div className="flex flex-wrap items-center gap-3">
                    <Badge tone="indigo">{o.type}</Badge>
                    <Badge tone={o.status === "failed" ? "red" : o.status === "succeeded" ? "green" : "amber"}>
                      {o.status}
                    </Badge>
                    <span className="text-xs text-slate-500">
                      {formatDateTime(o.createdAt)} · attempts {o.attempts}
                    </span>
                    {o.status === "failed" && o.id === latest?.id ? (
                      <Button size="sm" pending={retry.isPending} onClick={() => retry.mutate({ id: o.id })}>
                        Retry operation
                      </Button>
                    ) : null}
                  </div>
                  {o.error ? <p className="mt-1 text-sm text-red-700">{o.error}</p> : null}
                  <ol className="mt-2 flex flex-wrap gap-2 text-xs">
                    {o.steps.map((s) => (
                      <li key={s.id} title={s.detail ?? undefined} className="rounded bg-slate-100 px-2 py-0.5">
                        {s.title}: <strong>{s.status}</strong>
                      </li>
                    ))}
                  </ol>
                </li>
              ))}
            </ul>
          )}
        </Card>

        <div className="grid gap-6 lg:grid-cols-2">
          <Card title="Nodes">
            <Table
              caption="Nodes"
              rows={c.nodes}
              rowKey={(n) => n.id}
              empty="No nodes."
              columns={[
                { key: "name", header: "Name", cell: (n) => n.name },
                { key: "flavor", header: "Flavor", cell: (n) => n.flavor },
                { key: "status", header: "Status", cell: (n) => <Badge>{n.status}</Badge> },
              ]}
            />
          </Card>
          <Card title="Provider resources">
            {c.provider.error ? (
              <Banner tone="warning">The provider did not answer: {c.provider.error}</Banner>
            ) : (
              <>
                <p className="mb-3 text-sm">
                  Control plane:{" "}
                  {c.provider.controlPlane ? (
                    <>
                      <Badge tone={c.provider.controlPlane.ready ? "green" : "amber"}>
                        {c.provider.controlPlane.status}
                      </Badge>{" "}
                      <span className="font-mono text-xs">{c.provider.controlPlane.endpoint}</span>
                    </>
                  ) : (
                    "none"
                  )}{" "}
                  · volumes {c.provider.volumes} · load balancers {c.provider.loadBalancers}
                </p>
                <Table
                  caption="Machines"
                  rows={c.provider.machines}
                  rowKey={(m) => m.id}
                  empty="No machines."
                  columns={[
                    { key: "name", header: "Machine", cell: (m) => m.name },
                    { key: "zone", header: "Zone", cell: (m) => m.zone },
                    { key: "status", header: "Status", cell: (m) => m.status },
                    { key: "ready", header: "Ready", cell: (m) => (m.ready ? "yes" : "no") },
                  ]}
                />
              </>
            )}
          </Card>
        </div>

        <Card title="Events">
          <Table
            caption="Events"
            rows={c.events}
            rowKey={(e) => e.id}
            empty="No events."
            columns={[
              { key: "when", header: "When", cell: (e) => formatDateTime(e.createdAt) },
              {
                key: "level",
                header: "Level",
                cell: (e) => <Badge tone={e.level === "warning" ? "amber" : "gray"}>{e.level}</Badge>,
              },
              { key: "reason", header: "Reason", cell: (e) => e.reason },
              {
                key: "message",
                header: "Message",
                cell: (e) => <span className="whitespace-normal">{e.message}</span>,
              },
            ]}
          />
        </Card>
      </div>

      <Dialog
        open={deleting}
        onClose={() => setDeleting(false)}
        title={`Force-delete ${c.name}?`}
        description="Operations in flight are cancelled and a fresh delete removes everything the cluster holds at the provider. The tenant loses the cluster."
        footer={
          <>
            <Button variant="secondary" onClick={() => setDeleting(false)}>
              Cancel
            </Button>
            <Button
              variant="danger"
              disabled={confirm.trim() !== c.name}
              pending={force.isPending}
              onClick={() => force.mutate({ id: c.id, confirmName: confirm }, { onSuccess: () => setDeleting(false) })}
            >
              Force delete
            </Button>
          </>
        }
      >
        <Input
          label={`Type ${c.name} to confirm`}
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          autoComplete="off"
          error={fieldErrors(force.error).confirmName ?? formError(force.error, ["confirmName"]) ?? undefined}
        />
      </Dialog>
    </>
  );
}
