"use client";

import { Badge, Banner, Button } from "@nuage/ui";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "~/trpc/client";
import { meterInfo, money, monthLabel, PAYMENT_LABEL, quantityText, unitPriceText } from "../../billing-format";

// Print-friendly: the portal's header and the buttons are hidden when printing (browser "Save as PDF").
const PRINT_CSS = `@media print {
  header, nav, [data-print-hide] { display: none !important; }
  main { max-width: none !important; padding: 0 !important; }
  body { background: white !important; }
  @page { margin: 16mm; }
}`;

export function InvoiceView({ id }: { id: string }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.billing.invoice.queryOptions({ id }));
  const back = (
    <Link href="/billing" className="text-sm font-medium text-indigo-600 hover:text-indigo-500" data-print-hide>
      ← Billing
    </Link>
  );
  if (q.isPending)
    return (
      <div>
        {back}
        <p className="mt-4 text-sm text-slate-500" role="status">
          Loading the invoice…
        </p>
      </div>
    );
  if (q.error)
    return (
      <div className="space-y-4">
        {back}
        <Banner tone="error" title="The invoice could not be shown">
          {q.error.message}
        </Banner>
      </div>
    );
  const inv = q.data;
  const usage = inv.lines.filter((l) => l.kind === "usage");
  const included = inv.lines.filter((l) => l.kind === "included");
  const pay = PAYMENT_LABEL[inv.paymentStatus] ?? { text: inv.paymentStatus, tone: "gray" as const };
  const period = `${new Date(inv.periodStart).toISOString().slice(0, 10)} – ${new Date(new Date(inv.periodEnd).getTime() - 1).toISOString().slice(0, 10)} (UTC)`;
  return (
    <article className="space-y-6 rounded-lg bg-white p-8 shadow-sm ring-1 ring-slate-200 print:p-0 print:shadow-none print:ring-0">
      <style>{PRINT_CSS}</style>
      <div className="flex items-center justify-between" data-print-hide>
        {back}
        <Button variant="secondary" onClick={() => window.print()}>
          Print or save as PDF
        </Button>
      </div>
      <div className="flex flex-wrap items-start justify-between gap-4 border-b border-slate-200 pb-6">
        <div>
          <h1 className="text-2xl font-semibold text-slate-900">Invoice · {monthLabel(inv.periodStart)}</h1>
          <p className="mt-1 text-sm text-slate-600">{inv.orgName}</p>
          <p className="text-sm text-slate-500">Period {period}</p>
        </div>
        <dl className="text-right text-sm text-slate-600">
          <div>
            <dt className="inline">Invoice </dt>
            <dd className="inline font-mono">{inv.id}</dd>
          </div>
          <div>
            <dt className="inline">Plan </dt>
            <dd className="inline">
              {inv.plan} · price book v{inv.priceVersion}
            </dd>
          </div>
          <div className="mt-1 space-x-1">
            {inv.status === "draft" ? <Badge tone="blue">Draft: month in progress</Badge> : <Badge>Finalized</Badge>}
            <Badge tone={pay.tone}>{pay.text}</Badge>
          </div>
        </dl>
      </div>
      <table className="w-full text-sm">
        <caption className="sr-only">Invoice lines</caption>
        <thead>
          <tr className="border-b border-slate-200 text-left text-slate-500">
            <th className="py-2 font-medium">Cluster</th>
            <th className="py-2 font-medium">Item</th>
            <th className="py-2 text-right font-medium">Quantity</th>
            <th className="py-2 text-right font-medium">Unit price</th>
            <th className="py-2 text-right font-medium">Amount</th>
          </tr>
        </thead>
        <tbody>
          {usage.length === 0 ? (
            <tr>
              <td colSpan={5} className="py-6 text-center text-slate-500">
                No usage in this period.
              </td>
            </tr>
          ) : null}
          {[...usage, ...included].map((l) => (
            <tr key={`${l.kind}-${l.clusterId}-${l.meter}`} className="border-b border-slate-100">
              <td className="py-2">
                {l.kind === "included" ? <span className="text-slate-500">Included in plan</span> : l.clusterName}
              </td>
              <td className="py-2">{meterInfo(l.meter, inv.periodStart).label}</td>
              <td className="py-2 text-right tabular-nums">{quantityText(l.quantity, l.meter, inv.periodStart)}</td>
              <td className="py-2 text-right tabular-nums">
                {unitPriceText(l.unitPriceMicro, l.meter, inv.periodStart, inv.currency)}
              </td>
              <td className="py-2 text-right tabular-nums">{money(l.amountMinor, inv.currency)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot className="text-slate-700">
          <tr>
            <td colSpan={4} className="pt-4 text-right">
              Usage
            </td>
            <td className="pt-4 text-right tabular-nums">{money(inv.subtotalMinor, inv.currency)}</td>
          </tr>
          <tr>
            <td colSpan={4} className="text-right">
              Included in plan
            </td>
            <td className="text-right tabular-nums">−{money(inv.includedMinor, inv.currency)}</td>
          </tr>
          <tr>
            <td colSpan={4} className="text-right">
              Credits
            </td>
            <td className="text-right tabular-nums">−{money(inv.creditMinor, inv.currency)}</td>
          </tr>
          <tr className="text-base font-semibold text-slate-900">
            <td colSpan={4} className="pt-2 text-right">
              Total
            </td>
            <td className="pt-2 text-right tabular-nums" data-testid="invoice-total">
              {money(inv.totalMinor, inv.currency)}
            </td>
          </tr>
        </tfoot>
      </table>
      <p className="text-xs text-slate-500">
        Each line is its exact quantity × unit price, rounded half-up to the cent once. Amounts in {inv.currency}.
        {inv.hostedUrl ? (
          <>
            {" "}
            <a className="underline" href={inv.hostedUrl} data-print-hide>
              Pay or view at Stripe
            </a>
          </>
        ) : null}
      </p>
    </article>
  );
}
