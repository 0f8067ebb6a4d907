"use client";

import { Badge, Banner, Button, Card, Dialog, EmptyState, Input, Select, Table } from "@nuage/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent, useState } from "react";
import { StatusBadge } from "~/components/clusters/status-badge";
import { fieldErrors, formError } from "~/lib/errors";
import { formatDateTime } from "~/lib/format";
import { useTRPC } from "~/trpc/client";
import { type AdminOutputs, Columns, money, PageHeader, QueryState, TenantStatusBadge } from "./ui";

type Tenant = AdminOutputs["tenants"]["get"];

export function TenantDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.admin.tenants.get.queryOptions({ id }));
  return <QueryState query={q}>{() => <TenantView t={q.data!} />}</QueryState>;
}

function TenantView({ t }: { t: Tenant }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.admin.tenants.get.queryKey({ id: t.id }) });
  const onSuccess = () => void refresh();
  const suspend = useMutation(trpc.admin.tenants.suspend.mutationOptions({ onSuccess }));
  const resume = useMutation(trpc.admin.tenants.resume.mutationOptions({ onSuccess }));
  const setPlan = useMutation(trpc.admin.tenants.setPlan.mutationOptions({ onSuccess }));
  const setQuotas = useMutation(trpc.admin.tenants.setQuotas.mutationOptions({ onSuccess }));
  const extendTrial = useMutation(trpc.admin.tenants.extendTrial.mutationOptions({ onSuccess }));
  const del = useMutation(trpc.admin.tenants.delete.mutationOptions({ onSuccess }));
  const [suspending, setSuspending] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [confirm, setConfirm] = useState("");
  const [reason, setReason] = useState("");
  const gone = t.status === "deleted" || t.status === "deleting";

  function onQuotas(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setQuotas.mutate({
      id: t.id,
      maxClusters: Number(f.get("maxClusters")),
      maxNodesPerCluster: Number(f.get("maxNodesPerCluster")),
      maxVcpu: Number(f.get("maxVcpu")),
    });
  }
  const qErr = fieldErrors(setQuotas.error);
  const sErr = fieldErrors(suspend.error);

  return (
    <>
      <PageHeader
        title={
          <span className="flex items-center gap-3">
            <span data-testid="tenant-name">{t.name}</span>
            <TenantStatusBadge status={t.status} />
          </span>
        }
        description={
          <>
            <span className="font-mono text-xs">{t.id}</span> · created {formatDateTime(t.createdAt)} · plan{" "}
            <strong>{t.plan}</strong>
            {t.trialEndsAt ? ` · trial until ${formatDateTime(t.trialEndsAt)}` : ""}
          </>
        }
        actions={
          <>
            {!gone ? (
              <form method="post" action="/admin/view-as">
                <input type="hidden" name="orgId" value={t.id} />
                <Button type="submit" variant="secondary">
                  View as tenant
                </Button>
              </form>
            ) : null}
            {t.status === "suspended" ? (
              <Button pending={resume.isPending} onClick={() => resume.mutate({ id: t.id })}>
                Resume
              </Button>
            ) : !gone ? (
              <Button variant="secondary" onClick={() => setSuspending(true)}>
                Suspend
              </Button>
            ) : null}
            {!gone ? (
              <Button variant="danger" onClick={() => setDeleting(true)}>
                Delete
              </Button>
            ) : null}
          </>
        }
      />
      <div className="space-y-6">
        {t.suspendedAt ? (
          <Banner tone="error" title={`Suspended ${formatDateTime(t.suspendedAt)} by ${t.suspendedBy ?? "operator"}`}>
            Reason shown to the tenant: <span data-testid="suspended-reason">{t.suspendedReason}</span>
          </Banner>
        ) : null}
        {resume.error ? <Banner tone="error">{resume.error.message}</Banner> : null}
        {del.data ? (
          <Banner tone="warning" title="Deletion started">
            {del.data.clustersDeleting} cluster(s) are being deleted first; the organization goes once they are.
          </Banner>
        ) : null}

        <div className="grid gap-6 lg:grid-cols-3">
          <Card title="Plan and trial">
            <div className="space-y-4">
              <Select
                label="Plan"
                value={t.plan}
                disabled={gone || setPlan.isPending}
                onChange={(e) => setPlan.mutate({ id: t.id, plan: e.target.value as "free" | "pro" | "business" })}
                options={["free", "pro", "business"].map((p) => ({ value: p, label: p }))}
                error={setPlan.error?.message}
              />
              <form
                className="flex items-end gap-2"
                onSubmit={(e) => {
                  e.preventDefault();
                  extendTrial.mutate({ id: t.id, days: Number(new FormData(e.currentTarget).get("days")) });
                }}
              >
                <Input
                  label="Extend trial by (days)"
                  name="days"
                  type="number"
                  min={1}
                  max={365}
                  defaultValue={14}
                  error={fieldErrors(extendTrial.error).days ?? formError(extendTrial.error, ["days"]) ?? undefined}
                />
                <Button type="submit" variant="secondary" disabled={gone} pending={extendTrial.isPending}>
                  Extend
                </Button>
              </form>
            </div>
          </Card>
          <Card
            title="Quota overrides"
            description="Limits checked when clusters are created or scaled up; a plan change resets them to the plan's"
          >
            <form
              key={`${t.quotas.maxClusters}-${t.quotas.maxNodesPerCluster}-${t.quotas.maxVcpu}`}
              className="space-y-3"
              onSubmit={onQuotas}
              aria-label="Quota overrides"
            >
              <Input
                label="Clusters"
                name="maxClusters"
                type="number"
                min={0}
                defaultValue={t.quotas.maxClusters}
                error={qErr.maxClusters}
              />
              <Input
                label="Nodes per cluster"
                name="maxNodesPerCluster"
                type="number"
                min={0}
                defaultValue={t.quotas.maxNodesPerCluster}
                error={qErr.maxNodesPerCluster}
              />
              <Input
                label="Total vCPU"
                name="maxVcpu"
                type="number"
                min={0}
                defaultValue={t.quotas.maxVcpu}
                error={qErr.maxVcpu}
              />
              {formError(setQuotas.error, ["maxClusters", "maxNodesPerCluster", "maxVcpu"]) ? (
                <p role="alert" className="text-sm text-red-600">
                  {formError(setQuotas.error, ["maxClusters", "maxNodesPerCluster", "maxVcpu"])}
                </p>
              ) : null}
              {setQuotas.isSuccess ? <p className="text-sm text-emerald-700">Saved.</p> : null}
              <Button type="submit" disabled={gone} pending={setQuotas.isPending}>
                Save quotas
              </Button>
            </form>
          </Card>
          <Card title="Billing" description="Payment status and invoices">
            {t.payment ? (
              <p className="mb-3 text-sm">
                Subscription <Badge>{t.payment.subscription ?? "none"}</Badge> · dunning{" "}
                <Badge>{t.payment.dunningStage}</Badge>
              </p>
            ) : (
              <p className="mb-3 text-sm text-slate-500">No billing account yet.</p>
            )}
            {t.invoices.length === 0 ? (
              <p className="text-sm text-slate-500">No invoices.</p>
            ) : (
              <ul className="divide-y divide-slate-100 text-sm">
                {t.invoices.map((i) => (
                  <li key={i.id} className="flex justify-between py-1.5">
                    <span>{new Date(i.periodStart).toISOString().slice(0, 7)}</span>
                    <span>{money(i.totalMinor, i.currency)}</span>
                    <Badge tone={i.paymentStatus === "paid" ? "green" : "gray"}>{i.paymentStatus}</Badge>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>

        <div className="grid gap-6 lg:grid-cols-2">
          <Card title="Members">
            <Table
              caption="Members"
              rows={t.members}
              rowKey={(m) => m.userId}
              columns={[
                { key: "email", header: "E-mail", cell: (m) => m.email },
                { key: "name", header: "Name", cell: (m) => m.name },
                { key: "role", header: "Role", cell: (m) => <Badge>{m.role}</Badge> },
              ]}
            />
          </Card>
          <Card title="Clusters">
            <Table
              caption="Clusters"
              rows={t.clusters}
              rowKey={(c) => c.id}
              empty="No clusters."
              columns={[
                {
                  key: "name",
                  header: "Name",
                  cell: (c) => (
                    <Link className="text-indigo-600 hover:underline" href={`/admin/clusters/${c.id}`}>
                      {c.name}
                    </Link>
                  ),
                },
                { key: "status", header: "Status", cell: (c) => <StatusBadge status={c.status} /> },
                { key: "region", header: "Region", cell: (c) => c.region },
                { key: "nodes", header: "Nodes", cell: (c) => c.nodes },
              ]}
            />
          </Card>
        </div>

        <Card title="Usage" description="vCPU-hours per day, last 30 days">
          {t.usage.length === 0 ? (
            <EmptyState title="No usage recorded" />
          ) : (
            <Columns
              label="vCPU-hours per day"
              unit="vCPU-h"
              data={t.usage.map((u) => ({ label: new Date(u.day).toISOString().slice(5, 10), value: u.vcpuHours }))}
            />
          )}
        </Card>

        <Card
          title="Audit trail"
          actions={
            <Link className="text-sm text-indigo-600 hover:underline" href={`/admin/audit?orgId=${t.id}`}>
              Full log
            </Link>
          }
        >
          <Table
            caption="Audit trail"
            rows={t.audit}
            rowKey={(a) => a.id}
            empty="Nothing recorded."
            columns={[
              { key: "when", header: "When", cell: (a) => formatDateTime(a.createdAt) },
              { key: "who", header: "Who", cell: (a) => a.actorEmail ?? a.actorType },
              { key: "what", header: "Action", cell: (a) => <Badge tone="indigo">{a.action}</Badge> },
              {
                key: "target",
                header: "Target",
                cell: (a) => (a.targetType ? `${a.targetType} ${a.targetId?.slice(0, 12) ?? ""}` : "—"),
              },
            ]}
          />
        </Card>
      </div>

      <Dialog
        open={suspending}
        onClose={() => setSuspending(false)}
        title={`Suspend ${t.name}?`}
        description="The tenant keeps its running clusters but cannot create clusters or add nodes. The reason is shown to them."
        footer={
          <>
            <Button variant="secondary" onClick={() => setSuspending(false)}>
              Cancel
            </Button>
            <Button
              variant="danger"
              pending={suspend.isPending}
              onClick={() =>
                suspend.mutate(
                  { id: t.id, reason },
                  {
                    onSuccess: () => {
                      setSuspending(false);
                      setReason("");
                    },
                  },
                )
              }
            >
              Suspend
            </Button>
          </>
        }
      >
        <Input
          label="Reason (shown to the tenant)"
          name="reason"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          placeholder="e.g. Payment overdue since 1 March"
          error={sErr.reason ?? formError(suspend.error, ["reason"]) ?? undefined}
          required
        />
      </Dialog>

      <Dialog
        open={deleting}
        onClose={() => setDeleting(false)}
        title={`Delete ${t.name}?`}
        description="Every cluster of this organization is deleted first, then the organization itself. This cannot be undone."
        footer={
          <>
            <Button variant="secondary" onClick={() => setDeleting(false)}>
              Cancel
            </Button>
            <Button
              variant="danger"
              disabled={confirm.trim() !== t.name}
              pending={del.isPending}
              onClick={() => del.mutate({ id: t.id, confirmName: confirm }, { onSuccess: () => setDeleting(false) })}
            >
              Delete organization
            </Button>
          </>
        }
      >
        <Input
          label={`Type ${t.name} to confirm`}
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          autoComplete="off"
          error={fieldErrors(del.error).confirmName ?? formError(del.error, ["confirmName"]) ?? undefined}
        />
      </Dialog>
    </>
  );
}
