"use client";

import { Banner, Button, Dialog, Input } from "@nuage/ui";
import { useMutation } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { fieldErrors, formError } from "~/lib/errors";
import { switchOrg } from "~/lib/org-cookie";
import { useTRPC } from "~/trpc/client";

export function CreateOrgDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const create = useMutation(
    trpc.org.create.mutationOptions({
      onSuccess: (org) => switchOrg(org.id),
    }),
  );
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    create.mutate({ name: String(new FormData(e.currentTarget).get("name") ?? "").trim() });
  }
  const top = formError(create.error, ["name"]);
  return (
    <Dialog
      open={open}
      onClose={() => {
        create.reset();
        onClose();
      }}
      title="Create organization"
      description="An organization holds clusters, members and billing. You will be its owner."
    >
      <form onSubmit={onSubmit} className="space-y-4">
        {top ? <Banner tone="error">{top}</Banner> : null}
        <Input label="Organization name" name="name" required autoFocus error={fieldErrors(create.error).name} />
        <div className="flex justify-end gap-3">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" pending={create.isPending || create.isSuccess}>
            Create
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
