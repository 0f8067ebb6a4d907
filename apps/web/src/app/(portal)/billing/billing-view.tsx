"use client";

import { Badge, Banner, Button, Card, EmptyState, Table } from "@nuage/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef } from "react";
import { CHART_COLORS, TimeSeriesChart } from "~/components/charts";
import { useMe } from "~/components/portal/me-context";
import { useTRPC } from "~/trpc/client";
import { money, monthLabel, PAYMENT_LABEL } from "./billing-format";
import { PlanCard } from "./plan-card";

function Stat({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId?: string }) {
  return (
    <div className="rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200">
      <p className="text-sm text-slate-500">{label}</p>
      <p className="mt-1 text-2xl font-semibold text-slate-900" data-testid={testId}>
        {value}
      </p>
      {hint ? <p className="mt-1 text-xs text-slate-500">{hint}</p> : null}
    </div>
  );
}

export function BillingView() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const me = useMe();
  const router = useRouter();
  const params = useSearchParams();
  const summary = useQuery(trpc.billing.summary.queryOptions());
  const invoices = useQuery(trpc.billing.invoices.queryOptions());
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.billing.summary.queryKey() });
  const checkout = useMutation(
    trpc.billing.checkout.mutationOptions({ onSuccess: (r) => window.location.assign(r.url) }),
  );
  const portal = useMutation(trpc.billing.portal.mutationOptions({ onSuccess: (r) => window.location.assign(r.url) }));
  const sync = useMutation(trpc.billing.syncPaymentMethod.mutationOptions({ onSuccess: refresh }));
  const returned = params.get("checkout");
  const synced = useRef(false);
  useEffect(() => {
    // Back from Checkout: read the payment method from Stripe now rather than wait for the webhook.
    if (returned === "success" && !synced.current) {
      synced.current = true;
      sync.mutate();
    }
  }, [returned, sync]);

  const header = (
    <div className="mb-6">
      <h1 className="text-2xl font-semibold text-slate-900">Billing</h1>
      <p className="mt-1 text-sm text-slate-500">
        {me.currentOrg?.name}: this month so far, invoices and the payment method.
      </p>
    </div>
  );
  if (summary.isPending)
    return (
      <div>
        {header}
        <p className="text-sm text-slate-500" role="status">
          Loading billing…
        </p>
      </div>
    );
  if (summary.error)
    return (
      <div>
        {header}
        <Banner tone={summary.error.data?.code === "FORBIDDEN" ? "warning" : "error"} title="Billing is not available">
          {summary.error.message}
          {summary.error.data?.code === "FORBIDDEN"
            ? ". Owners, admins and members with the billing role can see it."
            : null}
        </Banner>
      </div>
    );
  const s = summary.data;
  const st = s.status;
  const chartData = s.daily.map((d) => ({ t: new Date(d.day).getTime(), cost: d.amountMinor / 100 }));
  return (
    <div className="space-y-6">
      {header}
      {returned === "success" ? (
        <Banner tone="success" title="Payment method saved">
          {sync.isPending
            ? "Checking with Stripe…"
            : st.paymentMethod
              ? `Using ${st.paymentMethod}.`
              : "It will show here in a moment."}
        </Banner>
      ) : returned === "cancelled" ? (
        <Banner tone="info" title="No payment method was added">
          You left the checkout page before saving a card.
        </Banner>
      ) : null}
      {st.suspendedAt ? (
        <Banner tone="error" title="This organization is suspended">
          {st.suspendedReason ?? "Contact the platform operator."}
        </Banner>
      ) : st.dunningStage === "notified" ? (
        <Banner tone="warning" title="The last payment failed">
          Update the payment method to avoid a suspension.
        </Banner>
      ) : null}
      {st.planSyncPending ? (
        <Banner tone="info" title="Your plan change is not yet on your Stripe subscription">
          Stripe did not take it yet; Nuage retries every hour. Your limits and this month's prices already follow the{" "}
          {s.plan.charAt(0).toUpperCase() + s.plan.slice(1)} plan.
        </Banner>
      ) : null}

      <section aria-label="This month" className="grid gap-4 sm:grid-cols-3">
        <Stat
          label={`Month to date (${monthLabel(s.periodStart)})`}
          value={money(s.monthToDate.totalMinor, s.currency)}
          hint={`Usage ${money(s.monthToDate.subtotalMinor, s.currency)} − included ${money(s.monthToDate.includedMinor, s.currency)} − credit ${money(s.monthToDate.creditMinor, s.currency)}`}
          testId="billing-mtd"
        />
        <Stat
          label="Forecast for the month"
          value={money(s.forecastMinor, s.currency)}
          hint="At the usage rate so far"
          testId="billing-forecast"
        />
        <Stat
          label="Plan"
          value={s.plan.charAt(0).toUpperCase() + s.plan.slice(1)}
          hint={`Price book v${s.priceVersion} · credit balance ${money(s.creditBalanceMinor, s.currency)}`}
        />
      </section>

      <Card title="Daily cost this month">
        {chartData.length ? (
          <TimeSeriesChart
            data={chartData}
            series={[{ key: "cost", label: "Cost", color: CHART_COLORS.indigo }]}
            format={(v) => money(Math.round(v * 100), s.currency)}
            granularity="day"
            variant="stacked"
            label="Daily cost of this month's usage"
          />
        ) : (
          <p className="py-8 text-center text-sm text-slate-500" data-testid="billing-chart-empty">
            No usage yet this month: the chart fills in as your clusters run.
          </p>
        )}
      </Card>

      <PlanCard />

      <Card
        title="Payment method"
        actions={
          st.stripe ? (
            <>
              <Button onClick={() => checkout.mutate()} pending={checkout.isPending}>
                {st.paymentMethod ? "Replace payment method" : "Add payment method"}
              </Button>
              {st.paymentMethod ? (
                <Button variant="secondary" onClick={() => portal.mutate()} pending={portal.isPending}>
                  Manage in Stripe
                </Button>
              ) : null}
            </>
          ) : null
        }
      >
        {st.stripe ? (
          <p className="text-sm text-slate-700" data-testid="payment-method">
            {st.paymentMethod ? (
              <>
                <Badge tone="green">Active</Badge> <span className="ml-2">{st.paymentMethod}</span>
              </>
            ) : (
              "No payment method yet: add a card so invoices can be paid automatically."
            )}
          </p>
        ) : (
          <p className="text-sm text-slate-700" data-testid="payment-method">
            <Badge>Not collected</Badge>
            <span className="ml-2">Payments are not collected on this platform; invoices are for your records.</span>
          </p>
        )}
        {checkout.error || portal.error ? (
          <p className="mt-2 text-sm text-red-600" role="alert">
            {(checkout.error ?? portal.error)?.message}
          </p>
        ) : null}
      </Card>

      <Card title="Invoices">
        {invoices.isPending ? (
          <p className="text-sm text-slate-500" role="status">
            Loading invoices…
          </p>
        ) : invoices.error ? (
          <Banner tone="error" title="The invoices could not be loaded">
            {invoices.error.message}
          </Banner>
        ) : invoices.data.length === 0 ? (
          <EmptyState title="No invoices yet" description="The first invoice appears when the month starts." />
        ) : (
          <Table
            caption="Invoices"
            rows={invoices.data}
            rowKey={(i) => i.id}
            columns={[
              { key: "month", header: "Month", cell: (i) => monthLabel(i.periodStart) },
              {
                key: "status",
                header: "Status",
                cell: (i) => (i.status === "draft" ? <Badge tone="blue">In progress</Badge> : <Badge>Finalized</Badge>),
              },
              {
                key: "total",
                header: "Total",
                cell: (i) => money(i.totalMinor, i.currency),
                className: "text-right tabular-nums",
              },
              {
                key: "payment",
                header: "Payment",
                cell: (i) => {
                  const p = PAYMENT_LABEL[i.paymentStatus] ?? { text: i.paymentStatus, tone: "gray" as const };
                  return <Badge tone={p.tone}>{p.text}</Badge>;
                },
              },
              {
                key: "view",
                header: <span className="sr-only">Open</span>,
                cell: (i) => (
                  <Link
                    className="text-sm font-medium text-indigo-600 hover:text-indigo-500"
                    href={`/billing/invoices/${i.id}`}
                  >
                    View<span className="sr-only"> the invoice of {monthLabel(i.periodStart)}</span>
                  </Link>
                ),
              },
            ]}
          />
        )}
      </Card>
      <p className="text-xs text-slate-500">
        Amounts in {s.currency}; each line is rounded to the cent once.{" "}
        <button type="button" className="underline" onClick={() => router.refresh()}>
          Refresh
        </button>
      </p>
    </div>
  );
}
