"use client";

import type { AppRouter } from "@nuage/api";
import { Badge, Banner, Button, Card, ConfirmDialog, Input } from "@nuage/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterInputs } from "@trpc/server";
import { type FormEvent, useState } from "react";
import { formError } from "~/lib/errors";
import { useTRPC } from "~/trpc/client";

const PLANS = ["free", "pro", "business"] as const;
type PlanKey = (typeof PLANS)[number];
const ITEMS = [
  ["vcpu_hour", "vCPU", "vCPU-hour"],
  ["memory_gib_hour", "Memory", "GiB-hour"],
  ["storage_gib_month", "Storage", "GiB-month"],
  ["controlplane_hour", "Control plane", "hour"],
  ["ha_hour", "HA surcharge", "hour"],
  ["lb_hour", "Load balancer", "hour"],
] as const;
const LIMITS = [
  ["maxClusters", "Clusters"],
  ["maxNodesPerCluster", "Nodes per cluster"],
  ["maxVcpu", "Total vCPU"],
] as const;

interface Plan {
  label: string;
  limits: Record<string, number>;
  included: Record<string, number>;
  prices: Record<string, number>;
}

/** Micro-cents → "1.8" (cents, up to 6 decimals). */
const centsText = (micro: number) => String(micro / 1_000_000);

/** Reads the form into plans; errors name the field ("pro: vCPU price …"). */
function readPlans(
  form: FormData,
  base: Record<PlanKey, Plan>,
): { plans?: Record<PlanKey, Plan>; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const plans = structuredClone(base);
  for (const p of PLANS) {
    for (const [k, label] of LIMITS) {
      const v = String(form.get(`${p}.limits.${k}`) ?? "").trim();
      if (!/^\d{1,6}$/.test(v) || Number(v) < 1) errors[`${p}.limits.${k}`] = `${label}: a whole number of at least 1`;
      else plans[p].limits[k] = Number(v);
    }
    for (const [k, label] of ITEMS) {
      const inc = String(form.get(`${p}.included.${k}`) ?? "").trim();
      if (!/^\d{1,6}$/.test(inc)) errors[`${p}.included.${k}`] = `${label} included: a whole number`;
      else plans[p].included[k] = Number(inc);
      const price = String(form.get(`${p}.prices.${k}`) ?? "")
        .trim()
        .replace(",", ".");
      if (!/^\d{1,7}(\.\d{1,6})?$/.test(price))
        errors[`${p}.prices.${k}`] = `${label} price: cents with at most 6 decimals`;
      else plans[p].prices[k] = Math.round(Number(price) * 1_000_000);
    }
  }
  return Object.keys(errors).length ? { errors } : { plans, errors };
}

export function PriceBookEditor() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const book = useQuery(trpc.billing.admin.priceBook.queryOptions());
  const [pending, setPending] = useState<{ plans: Record<PlanKey, Plan>; note: string } | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<number | null>(null);
  const save = useMutation(
    trpc.billing.admin.updatePriceBook.mutationOptions({
      onSuccess: (v) => {
        setPending(null);
        setSaved(v.version);
        qc.invalidateQueries({ queryKey: trpc.billing.admin.priceBook.queryKey() });
      },
    }),
  );

  if (book.isPending)
    return (
      <p className="text-sm text-slate-500" role="status">
        Loading the price book…
      </p>
    );
  if (book.error)
    return (
      <Banner tone="error" title="The price book could not be loaded">
        {book.error.message}
      </Banner>
    );
  const { current, versions } = book.data;
  const plans = current.plans as Record<PlanKey, Plan>;

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const r = readPlans(form, plans);
    setErrors(r.errors);
    setSaved(null);
    if (r.plans) setPending({ plans: r.plans, note: String(form.get("note") ?? "").trim() });
  }

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold text-slate-900">Price book</h1>
        <p className="mt-1 text-sm text-slate-500">
          Version {current.version} ({current.currency}). Saving publishes version {current.version + 1}; finalized
          invoices keep the version they cited, and each org&apos;s limits follow its plan. Prices are in cents per unit
          (sub-cent allowed, e.g. 1.8 = €0.018).
        </p>
      </div>
      {saved ? (
        <Banner tone="success" title={`Version ${saved} published`}>
          Invoices computed from now on use it.
        </Banner>
      ) : null}
      <form onSubmit={onSubmit} noValidate className="space-y-6" key={current.version}>
        <div className="grid gap-6 lg:grid-cols-3">
          {PLANS.map((p) => (
            <Card key={p} title={plans[p].label} description={`Plan key: ${p}`}>
              <fieldset className="space-y-1">
                <legend className="mb-2 text-sm font-semibold text-slate-700">Limits</legend>
                {LIMITS.map(([k, label]) => (
                  <Input
                    key={k}
                    label={label}
                    name={`${p}.limits.${k}`}
                    inputMode="numeric"
                    defaultValue={String(plans[p].limits[k])}
                    error={errors[`${p}.limits.${k}`]}
                  />
                ))}
              </fieldset>
              <fieldset className="mt-4 space-y-1">
                <legend className="mb-2 text-sm font-semibold text-slate-700">
                  Prices (cents) and included per month
                </legend>
                {ITEMS.map(([k, label, unit]) => (
                  <div key={k} className="grid grid-cols-2 gap-2">
                    <Input
                      label={`${label} / ${unit}`}
                      name={`${p}.prices.${k}`}
                      inputMode="decimal"
                      defaultValue={centsText(plans[p].prices[k] ?? 0)}
                      error={errors[`${p}.prices.${k}`]}
                    />
                    <Input
                      label={`Included ${unit}s`}
                      name={`${p}.included.${k}`}
                      inputMode="numeric"
                      defaultValue={String(plans[p].included[k] ?? 0)}
                      error={errors[`${p}.included.${k}`]}
                    />
                  </div>
                ))}
              </fieldset>
            </Card>
          ))}
        </div>
        <div className="flex flex-wrap items-end gap-3">
          <div className="w-96">
            <Input label="Note (why this change)" name="note" maxLength={200} />
          </div>
          <Button type="submit" className="mb-5">
            Review and publish
          </Button>
        </div>
        {Object.keys(errors).length ? (
          <p className="text-sm text-red-600" role="alert">
            Fix the highlighted fields ({Object.keys(errors).length}).
          </p>
        ) : null}
      </form>
      <ConfirmDialog
        open={pending !== null}
        onClose={() => setPending(null)}
        onConfirm={() =>
          pending &&
          save.mutate({
            basedOn: current.version,
            plans:
              pending.plans as unknown as inferRouterInputs<AppRouter>["billing"]["admin"]["updatePriceBook"]["plans"],
            note: pending.note || null,
          })
        }
        title={`Publish price book version ${current.version + 1}?`}
        description="Draft invoices of the current month are recomputed with the new prices; org limits change to their plan's new limits."
        confirmLabel="Publish"
        pending={save.isPending}
        error={formError(save.error)}
      />
      <Card title="Versions">
        <ul className="divide-y divide-slate-100 text-sm">
          {versions.map((v) => (
            <li key={v.version} className="flex items-center justify-between py-2">
              <span>
                <span className="font-medium">v{v.version}</span> ·{" "}
                {new Date(v.createdAt).toLocaleString("en", { timeZone: "UTC" })} UTC
                {v.note ? <span className="text-slate-500"> · {v.note}</span> : null}
              </span>
              {v.version === current.version ? <Badge tone="green">Current</Badge> : null}
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}
