"use client";

import { Badge, Button, Card, ConfirmDialog } from "@nuage/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { formatMicro } from "~/components/clusters/format";
import { useMe } from "~/components/portal/me-context";
import { canManage } from "~/lib/roles";
import { useTRPC } from "~/trpc/client";

type PlanKey = "free" | "pro" | "business";

const ROWS: { item: string; label: string; unit: string }[] = [
  { item: "vcpu_hour", label: "vCPU", unit: "vCPU-hour" },
  { item: "memory_gib_hour", label: "Memory", unit: "GiB-hour" },
  { item: "controlplane_hour", label: "Control plane", unit: "hour" },
  { item: "ha_hour", label: "HA surcharge", unit: "hour" },
  { item: "storage_gib_month", label: "Volumes", unit: "GiB-month" },
  { item: "lb_hour", label: "Load balancer", unit: "hour" },
];

/**
 * The plans of the current price book side by side (unit prices, what each includes a month, limits), the
 * org's plan marked; owners and admins switch plan here (limits and the Stripe subscription follow).
 */
export function PlanCard() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const me = useMe();
  const plans = useQuery(trpc.billing.plans.queryOptions());
  const [target, setTarget] = useState<PlanKey | null>(null);
  const change = useMutation(
    trpc.billing.changePlan.mutationOptions({
      onSuccess: async () => {
        setTarget(null);
        await Promise.all([
          qc.invalidateQueries({ queryKey: trpc.billing.plans.queryKey() }),
          qc.invalidateQueries({ queryKey: trpc.billing.summary.queryKey() }),
        ]);
      },
    }),
  );
  if (!plans.data) return null;
  const { current, currency, priceVersion } = plans.data;
  const mayChange = canManage(me.currentOrg?.role);
  const label = (k: PlanKey | null) => plans.data.plans.find((p) => p.key === k)?.label ?? "";
  return (
    <Card title="Plan">
      <p className="mb-3 text-xs text-slate-500" data-testid="plan-version">
        Price book version {priceVersion}. Included amounts are per organization and month.
      </p>
      <div className="grid gap-3 sm:grid-cols-3">
        {plans.data.plans.map((p) => (
          <div
            key={p.key}
            className={`rounded-lg p-3 ring-1 ${p.key === current ? "ring-2 ring-indigo-600" : "ring-slate-200"}`}
            data-testid={`plan-${p.key}`}
          >
            <p className="flex items-center gap-2 font-semibold text-slate-900">
              {p.label} {p.key === current ? <Badge tone="blue">Current plan</Badge> : null}
            </p>
            <ul className="mt-2 space-y-1 text-xs text-slate-600">
              {ROWS.map((r) => (
                <li key={r.item}>
                  {r.label}: {formatMicro(p.prices[r.item] ?? 0, currency)} / {r.unit}
                  {(p.included[r.item] ?? 0) > 0 ? (
                    <span className="text-emerald-700">
                      {" "}
                      · first {(p.included[r.item] ?? 0).toLocaleString("en")} included
                    </span>
                  ) : null}
                </li>
              ))}
              <li className="pt-1 text-slate-500">
                Up to {p.limits.maxClusters} clusters, {p.limits.maxNodesPerCluster} nodes per cluster,{" "}
                {p.limits.maxVcpu} vCPU
              </li>
            </ul>
            {mayChange && p.key !== current ? (
              <Button className="mt-3" size="sm" variant="secondary" onClick={() => setTarget(p.key)}>
                Switch to {p.label}
              </Button>
            ) : null}
          </div>
        ))}
      </div>
      {!mayChange ? <p className="mt-3 text-xs text-slate-500">Owners and admins can change the plan.</p> : null}
      <ConfirmDialog
        open={target !== null}
        onClose={() => {
          setTarget(null);
          change.reset();
        }}
        title={`Switch to ${label(target)}?`}
        description="This month's invoice is priced with the new plan (the whole month, as invoices are monthly), the organization's limits follow the plan, and the payment subscription is updated."
        confirmLabel={`Switch to ${label(target)}`}
        pending={change.isPending}
        error={change.error?.message}
        onConfirm={() => {
          if (target) change.mutate({ plan: target });
        }}
      />
    </Card>
  );
}
