"use client";

import { Banner, Button, Card, Input, Select, Spinner } from "@nuage/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useEffect, useMemo, useState } from "react";
import { fieldErrors, formError } from "~/lib/errors";
import { useTRPC } from "~/trpc/client";
import { newPool, poolErrors, poolInput, splitFieldErrors } from "./draft";
import { Estimate } from "./estimate";
import { dnsLabelError } from "./format";
import { type PoolDraft, PoolRow } from "./pool-rows";

/** The create form: name, region, version, node pools, HA; the price follows every edit. */
export function CreateClusterForm() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const router = useRouter();
  const regions = useQuery(trpc.catalog.regions.queryOptions());
  const versions = useQuery(trpc.catalog.versions.queryOptions());
  const flavors = useQuery(trpc.catalog.flavors.queryOptions());

  const [name, setName] = useState("");
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [submitted, setSubmitted] = useState(false);
  const [region, setRegion] = useState<string | null>(null);
  const [version, setVersion] = useState<string | null>(null);
  const [ha, setHa] = useState(false);
  const flavorList = flavors.data ?? [];
  const firstFlavor = flavorList[0]?.name ?? "";
  // One pool to start with; its key stays the same across renders so typing never remounts it.
  const [pools, setPools] = useState<PoolDraft[] | null>(() =>
    firstFlavor ? [newPool("default", firstFlavor, 2)] : null,
  );

  const regionValue = region ?? regions.data?.[0]?.name ?? "";
  const defaultVersion = versions.data?.find((v) => v.isDefault)?.version ?? versions.data?.[0]?.version ?? "";
  const versionValue = version ?? defaultVersion;
  // Marks the form interactive (hydrated): tests and scripts wait for it before typing.
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);
  useEffect(() => {
    if (pools === null && firstFlavor) setPools([newPool("default", firstFlavor, 2)]);
  }, [pools, firstFlavor]);
  const poolList = pools ?? [];

  const create = useMutation(
    trpc.clusters.create.mutationOptions({
      onSuccess: async (c) => {
        await qc.invalidateQueries({ queryKey: trpc.clusters.list.queryKey() });
        router.push(`/clusters/${c.id}`);
      },
    }),
  );

  const server = useMemo(() => splitFieldErrors(fieldErrors(create.error)), [create.error]);
  const show = (f: string) => submitted || touched[f];
  const nameError = (show("name") ? dnsLabelError(name, "cluster name") : undefined) ?? server.top.name;
  const localPoolErrors = poolList.map((p) => poolErrors(p, poolList));
  const top = formError(create.error, ["name", "region", "version", "haControlPlane", "nodePools"]);

  function setPool(i: number, patch: Partial<PoolDraft>) {
    setPools(poolList.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    if (dnsLabelError(name, "cluster name") || localPoolErrors.some((pe) => Object.keys(pe).length > 0)) {
      // Focus the first field that needs attention so keyboard users land on it.
      requestAnimationFrame(() => (document.querySelector("[aria-invalid=true]") as HTMLElement | null)?.focus());
      return;
    }
    create.mutate({
      name: name.trim(),
      region: regionValue,
      version: versionValue,
      haControlPlane: ha,
      nodePools: poolList.map(poolInput),
    });
  }

  if (regions.isPending || versions.isPending || flavors.isPending)
    return (
      <div className="flex items-center gap-3 py-16 text-sm text-slate-500">
        <Spinner /> Loading regions, versions and flavors…
      </div>
    );
  if (regions.error || versions.error || flavors.error)
    return (
      <Banner tone="error" title="The catalog could not be loaded">
        {(regions.error ?? versions.error ?? flavors.error)?.message}
      </Banner>
    );

  return (
    <form
      onSubmit={onSubmit}
      noValidate
      aria-label="Create cluster"
      data-ready={ready || undefined}
      className="grid gap-6 lg:grid-cols-[1fr_18rem]"
    >
      <div className="space-y-6">
        <Card title="Cluster" description="The name is used in the kubeconfig and cannot be changed later.">
          <div className="grid gap-4 md:grid-cols-3">
            <Input
              label="Name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              onBlur={() => setTouched((t) => ({ ...t, name: true }))}
              error={nameError}
              hint="Lowercase letters, digits and hyphens"
              placeholder="web-prod"
              autoComplete="off"
              autoFocus
            />
            <Select
              label="Region"
              value={regionValue}
              onChange={(e) => setRegion(e.target.value)}
              error={server.top.region}
              options={(regions.data ?? []).map((r) => ({ value: r.name, label: r.displayName }))}
            />
            <Select
              label="Kubernetes version"
              value={versionValue}
              onChange={(e) => setVersion(e.target.value)}
              error={server.top.version}
              options={(versions.data ?? []).map((v) => ({
                value: v.version,
                label: v.isDefault ? `${v.version} (default)` : v.version,
              }))}
            />
          </div>
          <label className="mt-5 flex items-start gap-3 text-sm">
            <input
              type="checkbox"
              checked={ha}
              onChange={(e) => setHa(e.target.checked)}
              className="mt-0.5 h-4 w-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-600"
            />
            <span>
              <span className="font-medium text-slate-900">Highly available control plane</span>
              <span className="block text-slate-500">Three API server replicas instead of one.</span>
              {server.top.haControlPlane ? (
                <span role="alert" className="block text-xs font-medium text-red-600">
                  {server.top.haControlPlane}
                </span>
              ) : null}
            </span>
          </label>
        </Card>

        <Card
          title="Node pools"
          description="Groups of identical machines. Labels and taints are applied to every node of the pool."
          actions={
            <Button
              variant="secondary"
              size="sm"
              onClick={() => setPools([...poolList, newPool(`pool-${poolList.length + 1}`, firstFlavor, 1)])}
            >
              + Add node pool
            </Button>
          }
        >
          <div className="space-y-4">
            {poolList.map((p, i) => (
              <PoolRow
                key={p.key}
                index={i}
                pool={p}
                flavors={flavorList}
                errors={{ ...(submitted ? localPoolErrors[i] : pickTouched(localPoolErrors[i])), ...server.pools[i] }}
                onChange={(patch) => setPool(i, patch)}
                onRemove={poolList.length > 1 ? () => setPools(poolList.filter((_, j) => j !== i)) : undefined}
              />
            ))}
            {server.top.nodePools ? (
              <p role="alert" className="text-sm font-medium text-red-600">
                {server.top.nodePools}
              </p>
            ) : null}
          </div>
        </Card>
        {top ? <Banner tone="error">{top}</Banner> : null}
      </div>

      <div className="space-y-4 lg:sticky lg:top-6 lg:self-start">
        <Estimate pools={poolList.map(poolInput)} flavors={flavorList} input={{ haControlPlane: ha }} />
        <Button type="submit" className="w-full" pending={create.isPending}>
          Create cluster
        </Button>
      </div>
    </form>
  );
}

/** Errors that are worth showing before the first submit: the ones about edited numbers. */
function pickTouched(e: Record<string, string | undefined> | undefined) {
  if (!e) return {};
  const { count, minCount, maxCount, labels, taints } = e;
  return { count, minCount, maxCount, labels, taints };
}
