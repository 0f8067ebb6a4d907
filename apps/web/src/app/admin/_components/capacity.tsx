"use client";

import { Banner, Button, Card, ConfirmDialog, EmptyState } from "@nuage/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { StatusBadge } from "~/components/clusters/status-badge";
import { useTRPC } from "~/trpc/client";
import { type AdminOutputs, HostStateBadge, Meter, PageHeader, QueryState } from "./ui";

type Host = AdminOutputs["ops"]["hosts"]["hosts"][number];
type Pending = { host: Host; state: "down" | "draining" } | null;

export function Capacity() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const q = useQuery({ ...trpc.admin.ops.hosts.queryOptions(), refetchInterval: 5_000 });
  const set = useMutation(
    trpc.admin.ops.setHostState.mutationOptions({
      onSuccess: () => void qc.invalidateQueries({ queryKey: trpc.admin.ops.hosts.queryKey() }),
    }),
  );
  const [pending, setPending] = useState<Pending>(null);
  return (
    <>
      <PageHeader
        title="Capacity"
        description="Regions, zones and hypervisor hosts from the provider, with allocation and the VMs on each host. Mark a host down or drain it to rehearse an outage."
      />
      {set.error ? (
        <div className="mb-4">
          <Banner tone="error">{set.error.message}</Banner>
        </div>
      ) : null}
      <QueryState query={q}>
        {() => {
          const { regions, hosts } = q.data!;
          if (hosts.length === 0) return <EmptyState title="The provider reports no hosts" />;
          const zones = [...new Set(hosts.map((h) => `${h.region}/${h.zone}`))];
          return (
            <div className="space-y-6">
              <div className="grid gap-4 md:grid-cols-3">
                {regions.map((r) => (
                  <Card key={r.name} title={r.name} description="Schedulable capacity of hosts not down">
                    <p className="text-xs font-medium text-slate-600">vCPU</p>
                    <Meter used={r.usedVcpus} total={r.vcpus} label={`${r.name} vCPU`} />
                    <p className="mt-2 text-xs font-medium text-slate-600">Memory (GiB)</p>
                    <Meter
                      used={Math.round(r.usedMemoryMiB / 1024)}
                      total={Math.round(r.memoryMiB / 1024)}
                      label={`${r.name} memory`}
                    />
                  </Card>
                ))}
              </div>
              {zones.map((z) => (
                <section key={z} aria-label={`Zone ${z}`}>
                  <h2 className="mb-2 text-sm font-semibold text-slate-700">Zone {z}</h2>
                  <div className="grid gap-4 lg:grid-cols-3">
                    {hosts
                      .filter((h) => `${h.region}/${h.zone}` === z)
                      .map((h) => (
                        <HostCard
                          key={h.id}
                          h={h}
                          busy={set.isPending && set.variables?.id === h.id}
                          onState={(state) =>
                            state === "up" ? set.mutate({ id: h.id, state }) : setPending({ host: h, state })
                          }
                        />
                      ))}
                  </div>
                </section>
              ))}
            </div>
          );
        }}
      </QueryState>
      <ConfirmDialog
        open={!!pending}
        onClose={() => setPending(null)}
        title={pending?.state === "down" ? `Mark ${pending.host.id} down?` : `Drain ${pending?.host.id}?`}
        description={
          pending?.state === "down"
            ? `Its ${pending.host.machines.length} VM(s) stop at once: their nodes go NotReady, the clusters degrade, and reconcile replaces the VMs on other hosts.`
            : `No new VM lands on it and its ${pending?.host.machines.length ?? 0} VM(s) move to other hosts.`
        }
        confirmLabel={pending?.state === "down" ? "Mark down" : "Drain"}
        pending={set.isPending}
        error={set.error?.message}
        onConfirm={() => {
          if (!pending) return;
          set.mutate({ id: pending.host.id, state: pending.state }, { onSuccess: () => setPending(null) });
        }}
      />
    </>
  );
}

function HostCard({ h, busy, onState }: { h: Host; busy: boolean; onState: (s: "up" | "down" | "draining") => void }) {
  return (
    <section
      className="rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200"
      data-testid="host"
      data-host={h.id}
      aria-label={`Host ${h.id}`}
    >
      <div className="flex items-center justify-between gap-2">
        <h3 className="font-mono text-sm font-semibold text-slate-900">{h.id}</h3>
        <HostStateBadge state={h.state} />
      </div>
      <div className="mt-3 grid grid-cols-3 gap-2">
        <div>
          <p className="text-xs text-slate-500">vCPU</p>
          <Meter used={h.used.vcpus} total={h.capacity.vcpus} label={`${h.id} vCPU`} />
        </div>
        <div>
          <p className="text-xs text-slate-500">Mem GiB</p>
          <Meter
            used={Math.round(h.used.memoryMiB / 1024)}
            total={Math.round(h.capacity.memoryMiB / 1024)}
            label={`${h.id} memory`}
          />
        </div>
        <div>
          <p className="text-xs text-slate-500">Disk GiB</p>
          <Meter used={h.used.diskGiB} total={h.capacity.diskGiB} label={`${h.id} disk`} />
        </div>
      </div>
      <details className="mt-3" open={h.machines.length > 0 && h.machines.length <= 6}>
        <summary className="cursor-pointer text-sm text-slate-700">{h.machines.length} VM(s)</summary>
        <ul className="mt-2 space-y-1 text-xs">
          {h.machines.map((m) => (
            <li key={m.id} className="flex flex-wrap items-center gap-2" data-testid="host-vm" data-vm={m.id}>
              <span className="font-mono">{m.name}</span>
              <span className="text-slate-500">{m.flavor}</span>
              {m.clusterId && m.clusterName ? (
                <Link className="text-indigo-600 hover:underline" href={`/admin/clusters/${m.clusterId}`}>
                  {m.clusterName}
                </Link>
              ) : null}
              {m.orgName ? <span className="text-slate-500">({m.orgName})</span> : null}
              {m.clusterStatus ? <StatusBadge status={m.clusterStatus} /> : null}
              <span className="text-slate-500">{m.status}</span>
            </li>
          ))}
        </ul>
      </details>
      <div className="mt-3 flex gap-2">
        {h.state !== "up" ? (
          <Button size="sm" pending={busy} onClick={() => onState("up")}>
            Mark up
          </Button>
        ) : (
          <>
            <Button size="sm" variant="secondary" onClick={() => onState("draining")}>
              Drain
            </Button>
            <Button size="sm" variant="danger" onClick={() => onState("down")}>
              Mark down
            </Button>
          </>
        )}
      </div>
    </section>
  );
}
