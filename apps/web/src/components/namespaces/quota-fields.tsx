"use client";

import { Input } from "@nuage/ui";
import { QUOTA_FIELDS } from "./shared";

export interface QuotaDraft {
  quota: Record<string, string>;
  defaultRequest: { cpu: string; memory: string };
  default: { cpu: string; memory: string };
}

export const emptyDraft = (): QuotaDraft => ({
  quota: {},
  defaultRequest: { cpu: "", memory: "" },
  default: { cpu: "", memory: "" },
});

export function draftFrom(
  quota: Record<string, string | undefined>,
  limits: { defaultRequest?: { cpu?: string; memory?: string }; default?: { cpu?: string; memory?: string } },
): QuotaDraft {
  return {
    quota: Object.fromEntries(Object.entries(quota).filter(([, v]) => v)) as Record<string, string>,
    defaultRequest: { cpu: limits.defaultRequest?.cpu ?? "", memory: limits.defaultRequest?.memory ?? "" },
    default: { cpu: limits.default?.cpu ?? "", memory: limits.default?.memory ?? "" },
  };
}

/** What the API takes: empty fields are left out (not limited). */
export function draftToInput(d: QuotaDraft) {
  const clean = (o: { cpu: string; memory: string }) =>
    Object.fromEntries(
      Object.entries(o)
        .filter(([, v]) => v.trim())
        .map(([k, v]) => [k, v.trim()]),
    );
  return {
    quota: Object.fromEntries(
      Object.entries(d.quota)
        .filter(([, v]) => v.trim())
        .map(([k, v]) => [k, v.trim()]),
    ),
    limits: { defaultRequest: clean(d.defaultRequest), default: clean(d.default) },
  };
}

/** The ten quota fields and the container defaults (LimitRange), errors shown under each field. */
export function QuotaFields({
  draft,
  onChange,
  errors,
}: {
  draft: QuotaDraft;
  onChange: (d: QuotaDraft) => void;
  errors: Record<string, string | undefined>;
}) {
  return (
    <div className="space-y-6">
      <fieldset>
        <legend className="text-sm font-semibold text-slate-900">Quota (ResourceQuota)</legend>
        <p className="mt-1 text-xs text-slate-500">
          Kubernetes quantities: 500m, 2, 512Mi, 2Gi. Empty means not limited.
        </p>
        <div className="mt-3 grid grid-cols-1 gap-4 sm:grid-cols-2">
          {QUOTA_FIELDS.map((f) => (
            <Input
              key={f.key}
              label={f.label}
              name={f.key}
              hint={`${f.key} — ${f.hint}`}
              className="font-mono"
              value={draft.quota[f.key] ?? ""}
              error={errors[`quota.${f.key}`]}
              onChange={(e) => onChange({ ...draft, quota: { ...draft.quota, [f.key]: e.target.value } })}
            />
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend className="text-sm font-semibold text-slate-900">Container defaults (LimitRange)</legend>
        <p className="mt-1 text-xs text-slate-500">
          Given to containers that do not set their own requests and limits.
        </p>
        <div className="mt-3 grid grid-cols-2 gap-4 sm:grid-cols-4">
          {(["defaultRequest", "default"] as const).map((part) =>
            (["cpu", "memory"] as const).map((res) => (
              <Input
                key={`${part}.${res}`}
                label={`${part === "defaultRequest" ? "Default request" : "Default limit"} ${res}`}
                className="font-mono"
                value={draft[part][res]}
                error={errors[`limits.${part}.${res}`]}
                onChange={(e) => onChange({ ...draft, [part]: { ...draft[part], [res]: e.target.value } })}
              />
            )),
          )}
        </div>
      </fieldset>
    </div>
  );
}
