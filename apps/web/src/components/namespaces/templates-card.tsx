"use client";

import { Banner, Button, Card, Dialog, Input, Spinner } from "@nuage/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { fieldErrors, formError } from "~/lib/errors";
import { useTRPC } from "~/trpc/client";
import { draftFrom, draftToInput, emptyDraft, type QuotaDraft, QuotaFields } from "./quota-fields";
import type { TemplateRow } from "./shared";

/** Org admins: the quota templates offered when creating a namespace, and the overcommit ratio. */
export function TemplatesCard() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const templates = useQuery(trpc.namespaces.templates.queryOptions());
  const caps = useQuery(trpc.namespaces.caps.queryOptions());
  const [editing, setEditing] = useState<{ name: string; draft: QuotaDraft; isNew: boolean } | null>(null);
  const [ratio, setRatio] = useState<string | null>(null);
  const save = useMutation(
    trpc.namespaces.saveTemplate.mutationOptions({
      onSuccess: async () => {
        setEditing(null);
        await qc.invalidateQueries({ queryKey: trpc.namespaces.templates.queryKey() });
      },
    }),
  );
  const overcommit = useMutation(
    trpc.namespaces.setOvercommit.mutationOptions({
      onSuccess: async () => {
        setRatio(null);
        await qc.invalidateQueries({ queryKey: trpc.namespaces.caps.queryKey() });
      },
    }),
  );
  const errors = fieldErrors(save.error);
  const open = (t: TemplateRow | null) =>
    setEditing(
      t
        ? { name: t.name, draft: draftFrom(t.quota, t.limits), isNew: false }
        : { name: "", draft: emptyDraft(), isNew: true },
    );
  return (
    <Card
      title="Quota templates and limits"
      description="Templates are offered when creating a namespace. Totals come from your plan; the overcommit ratio lets namespaces promise more than the nodes hold."
      actions={
        <Button size="sm" variant="secondary" onClick={() => open(null)}>
          New template
        </Button>
      }
    >
      {templates.isPending || caps.isPending ? (
        <Spinner size="sm" />
      ) : templates.error || caps.error ? (
        <Banner tone="error">{(templates.error ?? caps.error)?.message}</Banner>
      ) : (
        <div className="space-y-5">
          <ul className="grid grid-cols-1 gap-3 sm:grid-cols-3" aria-label="Templates">
            {templates.data.map((t) => (
              <li key={t.id} className="rounded-md p-3 ring-1 ring-slate-200">
                <div className="flex items-center justify-between">
                  <span className="font-medium capitalize text-slate-900">{t.name}</span>
                  <Button size="sm" variant="ghost" onClick={() => open(t)} aria-label={`Edit template ${t.name}`}>
                    Edit
                  </Button>
                </div>
                <p className="mt-1 font-mono text-xs text-slate-500">
                  {Object.entries(t.quota)
                    .slice(0, 4)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(" · ")}
                </p>
              </li>
            ))}
          </ul>
          <form
            className="flex flex-wrap items-end gap-3 border-t border-slate-100 pt-4"
            onSubmit={(e) => {
              e.preventDefault();
              overcommit.mutate({ ratio: Number(ratio ?? caps.data.overcommitRatio) });
            }}
          >
            <p className="w-full text-sm text-slate-600">
              Plan totals for all namespaces: {caps.data.maxCpu} CPU, {caps.data.maxMemory} memory,{" "}
              {caps.data.maxStorage} storage requested.
            </p>
            <div className="w-40">
              <Input
                label="Overcommit ratio"
                type="number"
                min={1}
                max={10}
                step={0.1}
                value={ratio ?? String(caps.data.overcommitRatio)}
                onChange={(e) => setRatio(e.target.value)}
                error={fieldErrors(overcommit.error).ratio ?? (overcommit.error ? overcommit.error.message : undefined)}
              />
            </div>
            <Button type="submit" variant="secondary" pending={overcommit.isPending} disabled={ratio === null}>
              Save ratio
            </Button>
          </form>
        </div>
      )}
      <Dialog
        open={!!editing}
        onClose={() => setEditing(null)}
        title={editing?.isNew ? "New template" : `Template ${editing?.name ?? ""}`}
        description="Namespaces made from it before keep their quota; edit them one by one."
      >
        {editing ? (
          <form
            className="max-h-[70vh] space-y-4 overflow-y-auto"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              save.mutate({ name: editing.name, ...draftToInput(editing.draft) });
            }}
          >
            {editing.isNew ? (
              <Input
                label="Template name"
                value={editing.name}
                onChange={(e) => setEditing({ ...editing, name: e.target.value })}
                error={errors.name}
              />
            ) : null}
            <QuotaFields draft={editing.draft} onChange={(d) => setEditing({ ...editing, draft: d })} errors={errors} />
            {formError(save.error, Object.keys(errors)) ? (
              <Banner tone="error">{formError(save.error, Object.keys(errors))}</Banner>
            ) : null}
            <div className="flex justify-end gap-3">
              <Button type="button" variant="secondary" onClick={() => setEditing(null)}>
                Cancel
              </Button>
              <Button type="submit" pending={save.isPending}>
                Save template
              </Button>
            </div>
          </form>
        ) : null}
      </Dialog>
    </Card>
  );
}
