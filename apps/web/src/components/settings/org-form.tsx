"use client";

import { Banner, Button, Card, Input } from "@nuage/ui";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { fieldErrors, formError } from "~/lib/errors";
import { canManage } from "~/lib/roles";
import { useTRPC } from "~/trpc/client";
import { useMe } from "../portal/me-context";

export function OrgForm() {
  const me = useMe();
  const trpc = useTRPC();
  const router = useRouter();
  const org = me.currentOrg!;
  const allowed = canManage(org.role);
  const update = useMutation(trpc.org.update.mutationOptions({ onSuccess: () => router.refresh() }));
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    update.mutate({ name: String(new FormData(e.currentTarget).get("name") ?? "").trim() });
  }
  const top = formError(update.error, ["name"]);
  return (
    <Card title="Organization" description="The name your team sees in the portal and on invoices.">
      <form onSubmit={onSubmit} className="max-w-md space-y-4">
        {top ? <Banner tone="error">{top}</Banner> : null}
        {update.isSuccess ? <Banner tone="success">Saved.</Banner> : null}
        <Input
          label="Name"
          name="name"
          defaultValue={org.name}
          required
          disabled={!allowed}
          error={fieldErrors(update.error).name}
          hint={allowed ? undefined : "Only owners and admins can rename the organization."}
        />
        <dl className="text-sm">
          <dt className="text-slate-500">Organization ID</dt>
          <dd className="mt-0.5 font-mono text-xs text-slate-700">{org.id}</dd>
        </dl>
        {allowed ? (
          <Button type="submit" pending={update.isPending}>
            Save
          </Button>
        ) : null}
      </form>
    </Card>
  );
}
