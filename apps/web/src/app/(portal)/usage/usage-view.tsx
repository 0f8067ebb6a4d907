"use client";

import { Banner, Button, Card, type Column, EmptyState, Input, Select, Spinner, Table } from "@nuage/ui";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useMemo, useState } from "react";
import { CHART_COLORS, TimeSeriesChart } from "~/components/charts";
import { useMe } from "~/components/portal/me-context";
import { useTRPC } from "~/trpc/client";
import { BudgetCard } from "./budget-card";
import {
  chartRows,
  customRange,
  fmt,
  type Granularity,
  presetRange,
  RANGES,
  type RangeKey,
  totals,
} from "./usage-data";

type Values = Record<string, string | undefined>;
interface ClusterRow {
  clusterId: string;
  clusterName: string;
  values: Values;
}
interface NamespaceRow extends ClusterRow {
  namespace: string;
}

export function UsageView() {
  const trpc = useTRPC();
  const me = useMe();
  const [rangeKey, setRangeKey] = useState<RangeKey>("30d");
  const [custom, setCustom] = useState<{ from: Date; to: Date; granularity: Granularity } | null>(null);
  const [customErr, setCustomErr] = useState<{ field: string; message: string } | null>(null);
  const [clusterId, setClusterId] = useState("");
  // Presets are computed once per choice, so the query key stays stable between renders.
  const [anchor, setAnchor] = useState(() => Date.now());
  const range = useMemo(
    () => (rangeKey === "custom" && custom ? custom : presetRange(rangeKey === "custom" ? "30d" : rangeKey, anchor)),
    [rangeKey, custom, anchor],
  );
  const input = { from: range.from, to: range.to, granularity: range.granularity, clusterId: clusterId || undefined };
  const report = useQuery(trpc.usage.report.queryOptions(input));
  const clusters = useQuery(trpc.clusters.list.queryOptions());
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  const queryClient = useQueryClient();

  async function exportCsv() {
    setExporting(true);
    setExportError(null);
    try {
      const out = await queryClient.fetchQuery(trpc.usage.export.queryOptions(input));
      const url = URL.createObjectURL(new Blob([out.csv], { type: "text/csv;charset=utf-8" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = out.filename;
      document.body.append(a);
      a.click();
      a.remove();
      URL.revokeObjectURL(url);
    } catch (e) {
      setExportError((e as Error).message);
    } finally {
      setExporting(false);
    }
  }

  function onCustom(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const r = customRange(String(f.get("from") ?? ""), String(f.get("to") ?? ""));
    if ("field" in r) {
      setCustomErr(r);
      return;
    }
    setCustomErr(null);
    setCustom(r);
  }

  const rows = useMemo(() => chartRows(report.data?.series ?? [], range.granularity), [report.data, range.granularity]);
  const byCluster = (report.data?.byCluster ?? []) as ClusterRow[];
  const byNamespace = (report.data?.byNamespace ?? []) as NamespaceRow[];
  const empty = report.data && report.data.series.length === 0;
  const per = range.granularity === "hour" ? "hour" : "day";

  const clusterColumns: Column<ClusterRow>[] = [
    {
      key: "name",
      header: "Cluster",
      cell: (r) => <span className="font-medium text-slate-900">{r.clusterName}</span>,
    },
    { key: "vcpu", header: "Node vCPU-hours", className: "text-right", cell: (r) => fmt(totals(r.values).vcpuHours) },
    {
      key: "mem",
      header: "Node memory GiB-hours",
      className: "text-right",
      cell: (r) => fmt(totals(r.values).memoryGiBHours),
    },
    {
      key: "cp",
      header: "Control plane hours",
      className: "text-right",
      cell: (r) => fmt(totals(r.values).controlPlaneHours),
    },
    { key: "ha", header: "HA hours", className: "text-right", cell: (r) => fmt(totals(r.values).haHours) },
    { key: "lb", header: "Load balancer hours", className: "text-right", cell: (r) => fmt(totals(r.values).lbHours) },
    {
      key: "storage",
      header: "Storage GiB-hours",
      className: "text-right",
      cell: (r) => fmt(totals(r.values).storageGiBHours),
    },
  ];
  const nsColumns: Column<NamespaceRow>[] = [
    { key: "cluster", header: "Cluster", cell: (r) => r.clusterName },
    { key: "ns", header: "Namespace", cell: (r) => <span className="font-mono text-xs">{r.namespace}</span> },
    {
      key: "cpuU",
      header: "CPU used (vCPU-h)",
      className: "text-right",
      cell: (r) => fmt(totals(r.values).cpuUsedHours),
    },
    {
      key: "cpuR",
      header: "CPU requested (vCPU-h)",
      className: "text-right",
      cell: (r) => fmt(totals(r.values).cpuRequestedHours),
    },
    {
      key: "memU",
      header: "Memory used (GiB-h)",
      className: "text-right",
      cell: (r) => fmt(totals(r.values).memUsedGiBHours),
    },
    {
      key: "memR",
      header: "Memory requested (GiB-h)",
      className: "text-right",
      cell: (r) => fmt(totals(r.values).memRequestedGiBHours),
    },
    {
      key: "st",
      header: "Storage (GiB-h)",
      className: "text-right",
      cell: (r) => fmt(totals(r.values).storageGiBHours),
    },
  ];

  const clusterOptions = [
    { value: "", label: "All clusters" },
    ...((clusters.data ?? []) as { id: string; name: string }[]).map((c) => ({ value: c.id, label: c.name })),
  ];

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Usage</h1>
          <p className="mt-1 text-sm text-slate-500">
            What the clusters of {me.currentOrg?.name ?? "this organization"} used, measured every minute. Times are
            UTC.
          </p>
        </div>
        <Button variant="secondary" onClick={exportCsv} pending={exporting} disabled={!report.data || Boolean(empty)}>
          Export CSV
        </Button>
      </div>

      <BudgetCard />

      <Card>
        <div className="flex flex-wrap items-end gap-4">
          <div className="w-48">
            <Select
              label="Range"
              value={rangeKey}
              onChange={(e) => {
                setRangeKey(e.target.value as RangeKey);
                setAnchor(Date.now());
              }}
              options={RANGES.map((r) => ({ value: r.key, label: r.label }))}
            />
          </div>
          <div className="w-56">
            <Select
              label="Cluster"
              value={clusterId}
              onChange={(e) => setClusterId(e.target.value)}
              options={clusterOptions}
            />
          </div>
          {rangeKey === "custom" ? (
            <form onSubmit={onCustom} className="flex flex-wrap items-end gap-3" noValidate>
              <Input
                label="From"
                name="from"
                type="date"
                error={customErr?.field === "from" ? customErr.message : undefined}
              />
              <Input
                label="To"
                name="to"
                type="date"
                error={customErr?.field === "to" ? customErr.message : undefined}
              />
              <Button type="submit" variant="secondary">
                Apply
              </Button>
            </form>
          ) : null}
        </div>
        {exportError ? (
          <div className="mt-4">
            <Banner tone="error" title="The CSV could not be exported">
              {exportError}
            </Banner>
          </div>
        ) : null}
      </Card>

      {report.isPending ? (
        <div className="flex items-center gap-3 py-16 text-sm text-slate-500" role="status">
          <Spinner /> Loading usage…
        </div>
      ) : report.error ? (
        <Banner tone="error" title="The usage could not be loaded">
          {report.error.message}
        </Banner>
      ) : empty ? (
        <Card>
          <EmptyState
            title="No usage in this range"
            description="Usage appears a minute or two after a cluster starts. Pick a longer range, or create a cluster."
          />
        </Card>
      ) : (
        <>
          <div className="grid gap-6 lg:grid-cols-2">
            <Card title="CPU" description={`Average vCPU per ${per}: node capacity, requested by pods, used`}>
              <TimeSeriesChart
                label={`CPU per ${per}: node capacity, requested and used vCPU`}
                data={rows}
                granularity={range.granularity}
                format={(v) => `${fmt(v)} vCPU`}
                series={[
                  { key: "cpuCapacity", label: "Capacity", color: CHART_COLORS.slate },
                  { key: "cpuRequested", label: "Requested", color: CHART_COLORS.indigo },
                  { key: "cpuUsed", label: "Used", color: CHART_COLORS.emerald },
                ]}
              />
            </Card>
            <Card title="Memory" description={`Average GiB per ${per}: node capacity, requested by pods, used`}>
              <TimeSeriesChart
                label={`Memory per ${per}: node capacity, requested and used GiB`}
                data={rows}
                granularity={range.granularity}
                format={(v) => `${fmt(v)} GiB`}
                series={[
                  { key: "memCapacity", label: "Capacity", color: CHART_COLORS.slate },
                  { key: "memRequested", label: "Requested", color: CHART_COLORS.sky },
                  { key: "memUsed", label: "Used", color: CHART_COLORS.emerald },
                ]}
              />
            </Card>
          </div>
          <Card title="Storage" description={`Average GiB of bound persistent volume claims per ${per}`}>
            <TimeSeriesChart
              label={`Storage per ${per}: GiB of bound volume claims`}
              data={rows}
              granularity={range.granularity}
              variant="stacked"
              height={200}
              format={(v) => `${fmt(v)} GiB`}
              series={[{ key: "storage", label: "Storage", color: CHART_COLORS.amber }]}
            />
          </Card>
          <Card title="By cluster" description="Totals over the range" className="overflow-hidden">
            <Table columns={clusterColumns} rows={byCluster} rowKey={(r) => r.clusterId} caption="Usage by cluster" />
          </Card>
          <Card title="By namespace" description="Totals over the range" className="overflow-hidden">
            <Table
              columns={nsColumns}
              rows={byNamespace}
              rowKey={(r) => `${r.clusterId}/${r.namespace}`}
              caption="Usage by namespace"
              empty="No namespace usage in this range: metrics and requests appear once pods run."
            />
          </Card>
        </>
      )}
    </div>
  );
}
