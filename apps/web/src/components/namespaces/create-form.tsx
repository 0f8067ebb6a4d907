"use client";

import { Banner, Button, Card, cn, Input, Spinner } from "@nuage/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { fieldErrors, formError } from "~/lib/errors";
import { useTRPC } from "~/trpc/client";
import { useClusterId } from "../clusters/use-cluster";
import { draftFrom, draftToInput, emptyDraft, type QuotaDraft, QuotaFields } from "./quota-fields";
import { KeyValueRows, type TemplateRow, toRecord } from "./shared";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function nameProblem(name: string): string | undefined {
  if (!name.trim()) return "Namespace name is required";
  if (name.length > 63) return "63 characters at most";
  if (!DNS_LABEL.test(name)) return "Use lowercase letters, digits and '-', starting and ending with a letter or digit";
  if (name.startsWith("kube-")) return `${name} is reserved for the system`;
  return undefined;
}

export function CreateNamespaceForm() {
  const clusterId = useClusterId();
  const trpc = useTRPC();
  const qc = useQueryClient();
  const router = useRouter();
  const templates = useQuery(trpc.namespaces.templates.queryOptions());
  const [name, setName] = useState("");
  const [touched, setTouched] = useState(false);
  const [template, setTemplate] = useState<string>("custom");
  const [draft, setDraft] = useState<QuotaDraft>(emptyDraft());
  const [labels, setLabels] = useState<{ key: string; value: string }[]>([]);
  const create = useMutation(
    trpc.namespaces.create.mutationOptions({
      onSuccess: async (ns) => {
        await qc.invalidateQueries({ queryKey: trpc.namespaces.list.queryKey({ clusterId }) });
        router.push(`/clusters/${clusterId}/namespaces/${ns.id}`);
      },
    }),
  );
  const pick = (t: TemplateRow | null) => {
    setTemplate(t?.name ?? "custom");
    if (t) setDraft(draftFrom(t.quota, t.limits));
  };
  const errors = fieldErrors(create.error);
  const localName = touched ? nameProblem(name) : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (nameProblem(name)) return;
    const { quota, limits } = draftToInput(draft);
    const t = templates.data?.find((x) => x.name === template);
    // Fields changed after picking a template make it a custom quota.
    const same = t && JSON.stringify(draftToInput(draftFrom(t.quota, t.limits))) === JSON.stringify({ quota, limits });
    create.mutate({ clusterId, name, labels: toRecord(labels), template: same ? template : "custom", quota, limits });
  };
  const shown = ["name", ...Object.keys(errors).filter((k) => k.startsWith("quota.") || k.startsWith("limits."))];
  return (
    <Card
      title="Create a namespace"
      description="Pick a template, adjust the quota if needed, and the platform applies it to the cluster."
    >
      <form onSubmit={submit} className="space-y-6" noValidate data-ready={templates.isSuccess ? "" : undefined}>
        <Input
          label="Name"
          name="name"
          autoComplete="off"
          value={name}
          onChange={(e) => setName(e.target.value)}
          onBlur={() => setTouched(true)}
          error={localName ?? errors.name}
          hint="A DNS label: lowercase letters, digits and '-'"
        />
        <fieldset>
          <legend className="text-sm font-semibold text-slate-900">Template</legend>
          {templates.isPending ? (
            <div className="mt-2 flex items-center gap-2 text-sm text-slate-500">
              <Spinner size="sm" /> Loading templates…
            </div>
          ) : templates.error ? (
            <Banner tone="error">{templates.error.message}</Banner>
          ) : (
            <div className="mt-2 grid grid-cols-2 gap-3 sm:grid-cols-4" role="radiogroup" aria-label="Template">
              {[...(templates.data ?? []), null].map((t) => {
                const n = t?.name ?? "custom";
                return (
                  <label
                    key={n}
                    className={cn(
                      "cursor-pointer rounded-lg p-3 text-sm ring-1 focus-within:ring-2 focus-within:ring-indigo-600",
                      template === n ? "bg-indigo-50 ring-indigo-500" : "ring-slate-200 hover:bg-slate-50",
                    )}
                  >
                    <input
                      type="radio"
                      name="template"
                      value={n}
                      className="sr-only"
                      checked={template === n}
                      onChange={() => pick(t)}
                    />
                    <span className="block font-medium capitalize text-slate-900">{n}</span>
                    <span className="mt-1 block text-xs text-slate-500">
                      {t
                        ? `${t.quota["requests.cpu"] ?? "—"} CPU · ${t.quota["requests.memory"] ?? "—"} · ${t.quota.pods ?? "—"} pods`
                        : "Your own numbers"}
                    </span>
                  </label>
                );
              })}
            </div>
          )}
        </fieldset>
        <QuotaFields draft={draft} onChange={setDraft} errors={errors} />
        <fieldset>
          <legend className="text-sm font-semibold text-slate-900">Labels</legend>
          <div className="mt-2">
            <KeyValueRows name="Label" rows={labels} onChange={setLabels} />
          </div>
          {errors.labels ? (
            <p role="alert" className="mt-1 text-xs font-medium text-red-600">
              {errors.labels}
            </p>
          ) : null}
        </fieldset>
        {formError(create.error, shown) ? <Banner tone="error">{formError(create.error, shown)}</Banner> : null}
        <div className="flex justify-end gap-3">
          <Button type="button" variant="secondary" onClick={() => router.push(`/clusters/${clusterId}/namespaces`)}>
            Cancel
          </Button>
          <Button type="submit" pending={create.isPending}>
            Create namespace
          </Button>
        </div>
      </form>
    </Card>
  );
}
