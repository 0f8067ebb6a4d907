"use client";

import { Badge, Banner, buttonClasses, EmptyState, Spinner, Tabs } from "@nuage/ui";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { isNotFound } from "~/lib/errors";
import { ClusterIcon } from "./cluster-icon";
import { CopyButton } from "./copy-button";
import { CurrentOperation } from "./current-operation";
import { formatAge } from "./format";
import { StatusBadge } from "./status-badge";
import type { ClusterView } from "./types";
import { useCluster, useLiveCluster } from "./use-cluster";

function Fact({ label, children, wide }: { label: string; children: ReactNode; wide?: boolean }) {
  return (
    <div className={wide ? "col-span-2 min-w-0" : undefined}>
      <dt className="text-xs font-medium tracking-wide text-slate-500 uppercase">{label}</dt>
      <dd className="mt-1 text-sm text-slate-900">{children}</dd>
    </div>
  );
}

/** Whether the current operation deserves the panel: running, failed, or the end of a delete. */
function showOperation(c: ClusterView): boolean {
  const op = c.currentOperation;
  if (!op) return false;
  if (op.status === "pending" || op.status === "running" || op.status === "failed") return true;
  return op.type === "delete" || (op.finishedAt ? Date.now() - new Date(op.finishedAt).getTime() < 60_000 : false);
}

/** Header, live operation and tabs around every /clusters/[id] page. */
export function ClusterShell({ id, children }: { id: string; children: ReactNode }) {
  const { mode } = useLiveCluster(id);
  const q = useCluster(id);
  const path = usePathname();
  if (q.isPending)
    return (
      <div className="flex items-center gap-3 py-16 text-sm text-slate-500">
        <Spinner /> Loading the cluster…
      </div>
    );
  if (q.error)
    return isNotFound(q.error) ? (
      <EmptyState
        icon={<ClusterIcon />}
        title="Cluster not found"
        description="It does not exist in this organization, or it was deleted."
        action={
          <Link href="/clusters" className={buttonClasses("secondary")}>
            Back to clusters
          </Link>
        }
      />
    ) : (
      <Banner tone="error" title="The cluster could not be loaded">
        {q.error.message}
      </Banner>
    );
  const c = q.data as ClusterView;
  const base = `/clusters/${c.id}`;
  const tabs = [
    { id: "overview", label: "Overview", href: base },
    { id: "access", label: "Access", href: `${base}/access` },
    { id: "namespaces", label: "Namespaces", href: `${base}/namespaces` },
    { id: "operations", label: "Operations", href: `${base}/operations` },
    { id: "events", label: "Events", href: `${base}/events` },
    { id: "settings", label: "Settings", href: `${base}/settings` },
  ];
  const active = tabs.slice(1).find((t) => path.startsWith(t.href))?.id ?? "overview";
  return (
    <div className="space-y-6">
      <div>
        <Link href="/clusters" className="text-sm text-slate-500 hover:text-slate-700">
          ← Clusters
        </Link>
        <div className="mt-1 flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900" data-testid="cluster-name">
            {c.name}
          </h1>
          <StatusBadge status={c.status} />
          {c.haControlPlane ? <Badge tone="indigo">HA control plane</Badge> : null}
          {c.status === "deleted" ? null : (
            <span className="ml-auto text-xs text-slate-400" title="How this page gets updates">
              {mode === "live" ? "● Live" : "Refreshing every few seconds"}
            </span>
          )}
        </div>
        <dl className="mt-4 grid grid-cols-2 gap-4 rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:grid-cols-6">
          <Fact label="Version">
            <span className="font-mono">{c.version}</span>
          </Fact>
          <Fact label="Region">{c.region}</Fact>
          <Fact label="Nodes">
            {c.readyNodeCount ?? c.nodeCount}/{c.nodeCount} ready
          </Fact>
          <Fact label="Age">{formatAge(c.createdAt)}</Fact>
          <Fact label="Endpoint" wide>
            {c.endpoint ? (
              <span className="flex items-center gap-1">
                <span className="truncate font-mono text-xs" data-testid="cluster-endpoint">
                  {c.endpoint}
                </span>
                <CopyButton value={c.endpoint} label="Copy endpoint" />
              </span>
            ) : (
              <span className="text-slate-400">{c.status === "deleted" ? "—" : "Not yet"}</span>
            )}
          </Fact>
        </dl>
        {c.status === "error" && c.statusMessage && c.currentOperation?.status !== "failed" ? (
          <div className="mt-4">
            <Banner tone="error" title="The cluster is in error">
              {c.statusMessage}
            </Banner>
          </div>
        ) : null}
      </div>
      {showOperation(c) && c.currentOperation ? <CurrentOperation cluster={c} op={c.currentOperation} /> : null}
      {c.status === "deleted" ? (
        <Banner tone="info" title="This cluster was deleted">
          Everything it used was removed (see the report above).{" "}
          <Link href="/clusters" className="font-medium underline">
            Back to clusters
          </Link>
        </Banner>
      ) : (
        <>
          <Tabs
            items={tabs}
            active={active}
            renderLink={(item, className, current) => (
              <Link href={item.href} className={className} aria-current={current ? "page" : undefined}>
                {item.label}
              </Link>
            )}
          />
          {children}
        </>
      )}
    </div>
  );
}
