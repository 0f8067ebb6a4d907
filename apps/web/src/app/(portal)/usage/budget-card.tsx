"use client";

import { Badge, Banner, Button, Card, ConfirmDialog, Input } from "@nuage/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useMe } from "~/components/portal/me-context";
import { fieldErrors, formError } from "~/lib/errors";
import { canManage } from "~/lib/roles";
import { useTRPC } from "~/trpc/client";
import { money, parseAmount } from "./usage-data";

/** The monthly budget: month-to-date estimate against it, alerts sent; owners and admins set it. */
export function BudgetCard() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const me = useMe();
  const mayEdit = canManage(me.currentOrg?.role);
  const budget = useQuery(trpc.usage.budget.queryOptions());
  const invalidate = () => qc.invalidateQueries({ queryKey: trpc.usage.budget.queryKey() });
  const save = useMutation(trpc.usage.setBudget.mutationOptions({ onSuccess: invalidate }));
  const [amountError, setAmountError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [removing, setRemoving] = useState(false);

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const text = String(new FormData(e.currentTarget).get("amount") ?? "");
    const cents = parseAmount(text);
    if (cents === null) {
      setAmountError("Enter an amount greater than 0, with at most 2 decimals (e.g. 250 or 99.50)");
      return;
    }
    setAmountError(null);
    save.mutate({ amountMinor: cents }, { onSuccess: () => setEditing(false) });
  }

  if (budget.isPending)
    return (
      <Card title="Monthly budget">
        <p className="text-sm text-slate-500" role="status">
          Loading the budget…
        </p>
      </Card>
    );
  if (budget.error)
    return (
      <Banner tone="error" title="The budget could not be loaded">
        {budget.error.message}
      </Banner>
    );
  const b = budget.data;
  const pct = b.percentUsed ?? 0;
  const month = new Date(b.monthStart).toLocaleDateString(undefined, {
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
  const serverError = fieldErrors(save.error).amountMinor ?? formError(save.error, ["amountMinor"]);
  const form = (
    <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3" noValidate>
      <div className="w-48">
        <Input
          label={`Budget per month (${b.currency})`}
          name="amount"
          inputMode="decimal"
          autoComplete="off"
          defaultValue={b.amountMinor ? (b.amountMinor / 100).toFixed(2) : ""}
          error={amountError ?? serverError ?? undefined}
          hint="Alerts by e-mail at 50, 80 and 100 %"
        />
      </div>
      <Button type="submit" pending={save.isPending} className="mb-5">
        Save budget
      </Button>
      {b.amountMinor ? (
        <Button type="button" variant="ghost" className="mb-5" onClick={() => setEditing(false)}>
          Cancel
        </Button>
      ) : null}
    </form>
  );
  return (
    <Card
      title="Monthly budget"
      description={`${month}: estimated from the catalog prices, updated every minute`}
      actions={
        mayEdit && b.amountMinor && !editing ? (
          <>
            <Button size="sm" variant="secondary" onClick={() => setEditing(true)}>
              Change
            </Button>
            <Button size="sm" variant="ghost-danger" onClick={() => setRemoving(true)}>
              Remove
            </Button>
          </>
        ) : null
      }
    >
      <div className="space-y-4">
        <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
          <span className="text-2xl font-semibold text-slate-900" data-testid="month-to-date">
            {money(b.monthToDateMinor, b.currency)}
          </span>
          <span className="text-sm text-slate-500">
            {b.amountMinor ? `of ${money(b.amountMinor, b.currency)} this month (${pct} %)` : "this month so far"}
          </span>
          {b.alertsSent.map((t) => (
            <Badge key={t} tone={t >= 100 ? "red" : t >= 80 ? "amber" : "blue"}>
              {t} % alert sent
            </Badge>
          ))}
        </div>
        {b.amountMinor ? (
          <div
            className="h-2 w-full overflow-hidden rounded-full bg-slate-100"
            role="progressbar"
            aria-label="Budget used this month"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.min(pct, 100)}
          >
            <div
              className={pct >= 100 ? "h-full bg-red-500" : pct >= 80 ? "h-full bg-amber-500" : "h-full bg-indigo-500"}
              style={{ width: `${Math.min(pct, 100)}%` }}
            />
          </div>
        ) : null}
        {mayEdit && (!b.amountMinor || editing) ? (
          form
        ) : !b.amountMinor ? (
          <p className="text-sm text-slate-500">No budget is set. Owners and admins can set one.</p>
        ) : null}
      </div>
      <ConfirmDialog
        open={removing}
        onClose={() => setRemoving(false)}
        onConfirm={() => save.mutate({ amountMinor: null }, { onSuccess: () => setRemoving(false) })}
        title="Remove the monthly budget?"
        description="No more budget alerts will be sent until a new budget is set."
        confirmLabel="Remove budget"
        pending={save.isPending}
        error={save.error?.message}
      />
    </Card>
  );
}
