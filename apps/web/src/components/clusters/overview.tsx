"use client";

import { Badge, Banner, Button, Card, ConfirmDialog, Select } from "@nuage/ui";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { canWrite } from "~/lib/roles";
import { useTRPC } from "~/trpc/client";
import { useMe } from "../portal/me-context";
import { AddPoolDialog } from "./add-pool-dialog";
import { formatMemory, formatMicro } from "./format";
import { PoolResize } from "./pool-resize";
import type { ClusterView, PoolView } from "./types";
import { useCluster, useClusterId } from "./use-cluster";
import { poolAsInput, useUpdateCluster } from "./use-update";

export function ClusterOverview() {
  const id = useClusterId();
  const me = useMe();
  const trpc = useTRPC();
  const q = useCluster(id);
  const flavors = useQuery(trpc.catalog.flavors.queryOptions());
  const versions = useQuery(trpc.catalog.versions.queryOptions());
  const update = useUpdateCluster(id);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<PoolView | null>(null);
  const [target, setTarget] = useState("");
  if (!q.data) return null;
  const c = q.data as ClusterView;
  const writer = canWrite(me.currentOrg?.role);
  // One change at a time: while an operation runs, the controls wait for it.
  const busy = c.status !== "running" && c.status !== "degraded" && c.status !== "error";
  // A cluster whose creation failed has nothing to change yet: retry it (above) or delete it.
  const failedCreate = c.currentOperation?.type === "create" && c.currentOperation.status === "failed";
  const mayChange = writer && !busy && !failedCreate;
  const why = !writer
    ? "Your role can see this cluster but not change it."
    : busy
      ? "Wait for the current change to finish."
      : failedCreate
        ? "The cluster was not created: retry the creation above, or delete the cluster in Settings."
        : null;
  const newer = (versions.data ?? []).filter((v) => v.version > c.version);

  return (
    <div className="space-y-6">
      {why ? <Banner tone="info">{why}</Banner> : null}
      <Card
        title="Node pools"
        description="Resize a pool to add or remove nodes; removed nodes are drained first."
        actions={
          writer ? (
            <Button size="sm" variant="secondary" disabled={!mayChange} onClick={() => setAdding(true)}>
              + Add node pool
            </Button>
          ) : null
        }
      >
        <ul className="divide-y divide-slate-100">
          {c.nodePools.map((p) => {
            const f = flavors.data?.find((x) => x.name === p.flavor);
            const nodes = c.nodes.filter((n) => n.poolId === p.id);
            return (
              <li
                key={p.id}
                className="flex flex-wrap items-center gap-4 py-4 first:pt-0 last:pb-0"
                data-testid={`pool-${p.name}`}
              >
                <div className="min-w-48 flex-1">
                  <p className="font-medium text-slate-900">{p.name}</p>
                  <p className="text-xs text-slate-500">
                    {p.flavor}
                    {f
                      ? ` · ${f.vcpus} vCPU, ${formatMemory(f.memoryMiB)} · ${formatMicro(f.priceMicroHourly ?? f.priceCentsHourly * 1_000_000, f.currency)}/h per node`
                      : ""}
                  </p>
                  <p className="mt-1 flex flex-wrap gap-1">
                    {Object.entries(p.labels ?? {}).map(([k, v]) => (
                      <Badge key={k}>
                        {k}={v}
                      </Badge>
                    ))}
                    {(p.taints ?? []).map((t) => (
                      <Badge key={`${t.key}:${t.effect}`} tone="amber">
                        {t.key}={t.value ?? ""}:{t.effect}
                      </Badge>
                    ))}
                  </p>
                </div>
                <div className="text-sm text-slate-600">
                  <span className="font-semibold text-slate-900" data-testid="pool-count">
                    {nodes.filter((n) => n.status === "ready").length}/{p.count}
                  </span>{" "}
                  ready · min {p.minCount}, max {p.maxCount}
                </div>
                {writer ? (
                  <div className="flex items-end gap-2">
                    <PoolResize
                      pool={p}
                      cluster={c}
                      disabled={!mayChange || update.isPending}
                      onResize={(count) =>
                        update.mutate({
                          id: c.id,
                          nodePools: c.nodePools.map((x) => poolAsInput(x, x.id === p.id ? count : x.count)),
                        })
                      }
                    />
                    <Button
                      size="sm"
                      variant="ghost-danger"
                      disabled={!mayChange || c.nodePools.length < 2}
                      title={c.nodePools.length < 2 ? "A cluster keeps at least one pool" : undefined}
                      onClick={() => setRemoving(p)}
                    >
                      Remove
                    </Button>
                  </div>
                ) : null}
              </li>
            );
          })}
        </ul>
        {update.error ? (
          <div className="mt-4">
            <Banner tone="error">{update.error.message}</Banner>
          </div>
        ) : null}
      </Card>

      <div className="grid gap-6 md:grid-cols-2">
        <Card title="Kubernetes version" description="Upgrades the control plane first, then nodes one at a time.">
          <p className="text-sm text-slate-600">
            Running <span className="font-mono font-semibold text-slate-900">{c.version}</span>
          </p>
          {writer && versions.data ? (
            newer.length === 0 ? (
              <p className="mt-3 text-sm text-slate-500">This is the newest version offered.</p>
            ) : (
              <div className="mt-3 flex items-end gap-2">
                <div className="flex-1">
                  <Select
                    label="Upgrade to"
                    value={target || newer[0]?.version || ""}
                    onChange={(e) => setTarget(e.target.value)}
                    options={newer.map((v) => ({ value: v.version, label: v.version }))}
                    disabled={!mayChange}
                  />
                </div>
                <Button
                  variant="secondary"
                  disabled={!mayChange}
                  pending={update.isPending && update.variables?.version !== undefined}
                  onClick={() => update.mutate({ id: c.id, version: target || newer[0]?.version })}
                >
                  Upgrade
                </Button>
              </div>
            )
          ) : null}
        </Card>
        <Card title="Control plane" description="A highly available control plane runs three API servers.">
          <p className="text-sm text-slate-600">
            {c.haControlPlane ? "Highly available (3 replicas)" : "Single replica"}
          </p>
          {writer ? (
            <Button
              className="mt-3"
              variant="secondary"
              disabled={!mayChange}
              pending={update.isPending && update.variables?.haControlPlane !== undefined}
              onClick={() => update.mutate({ id: c.id, haControlPlane: !c.haControlPlane })}
            >
              {c.haControlPlane ? "Switch to a single replica" : "Make highly available"}
            </Button>
          ) : null}
        </Card>
      </div>

      <AddPoolDialog
        open={adding}
        onClose={() => setAdding(false)}
        cluster={c}
        flavors={flavors.data ?? []}
        update={update}
      />
      <ConfirmDialog
        open={removing !== null}
        onClose={() => setRemoving(null)}
        title={`Remove node pool ${removing?.name ?? ""}?`}
        description="Its nodes are drained (pods move to other pools) and then deleted."
        confirmLabel="Remove pool"
        pending={update.isPending}
        error={update.error?.message}
        onConfirm={() => {
          if (!removing) return;
          update.mutate(
            { id: c.id, nodePools: c.nodePools.filter((x) => x.id !== removing.id).map((x) => poolAsInput(x)) },
            { onSuccess: () => setRemoving(null) },
          );
        }}
      />
    </div>
  );
}
