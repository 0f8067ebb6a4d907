"use client";

import { Badge, Button, Card, ConfirmDialog, Input, Select, Table } from "@nuage/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { fieldErrors, formError } from "~/lib/errors";
import { formatDateTime } from "~/lib/format";
import { useTRPC } from "~/trpc/client";
import { PageHeader, QueryState } from "./ui";

export function Announcements() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const list = useQuery(trpc.admin.announcements.list.queryOptions());
  const refresh = () => void qc.invalidateQueries({ queryKey: trpc.admin.announcements.list.queryKey() });
  const create = useMutation(trpc.admin.announcements.create.mutationOptions({ onSuccess: refresh }));
  const archive = useMutation(trpc.admin.announcements.archive.mutationOptions({ onSuccess: refresh }));
  const [archiving, setArchiving] = useState<string | null>(null);
  const errs = fieldErrors(create.error);
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const endsAt = String(f.get("endsAt") ?? "");
    create.mutate(
      {
        message: String(f.get("message") ?? ""),
        level: String(f.get("level")) === "warning" ? "warning" : "info",
        ...(endsAt ? { endsAt: new Date(endsAt) } : {}),
      },
      { onSuccess: () => form.reset() },
    );
  }
  return (
    <>
      <PageHeader title="Announcements" description="A banner every tenant sees in the portal while it is active." />
      <div className="space-y-6">
        <Card title="New announcement">
          <form onSubmit={onSubmit} className="grid items-end gap-3 md:grid-cols-6" aria-label="New announcement">
            <div className="md:col-span-3">
              <Input
                label="Message"
                name="message"
                required
                maxLength={500}
                error={errs.message}
                placeholder="Maintenance on local-1 tonight 22:00–23:00 UTC"
              />
            </div>
            <Select
              label="Level"
              name="level"
              options={[
                { value: "info", label: "Info" },
                { value: "warning", label: "Warning" },
              ]}
            />
            <Input label="Ends (optional, UTC)" name="endsAt" type="datetime-local" error={errs.endsAt} />
            <Button type="submit" pending={create.isPending}>
              Publish
            </Button>
          </form>
          {formError(create.error, ["message", "endsAt"]) ? (
            <p role="alert" className="mt-2 text-sm text-red-600">
              {formError(create.error, ["message", "endsAt"])}
            </p>
          ) : null}
        </Card>
        <Card title="All announcements">
          <QueryState query={list}>
            {() => (
              <Table
                caption="Announcements"
                rows={list.data ?? []}
                rowKey={(a) => a.id}
                empty="No announcements yet."
                columns={[
                  {
                    key: "message",
                    header: "Message",
                    cell: (a) => <span className="whitespace-normal">{a.message}</span>,
                  },
                  {
                    key: "level",
                    header: "Level",
                    cell: (a) => <Badge tone={a.level === "warning" ? "amber" : "blue"}>{a.level}</Badge>,
                  },
                  {
                    key: "state",
                    header: "State",
                    cell: (a) => <Badge tone={a.state === "active" ? "green" : "gray"}>{a.state}</Badge>,
                  },
                  { key: "from", header: "From", cell: (a) => formatDateTime(a.startsAt) },
                  { key: "to", header: "Until", cell: (a) => (a.endsAt ? formatDateTime(a.endsAt) : "—") },
                  {
                    key: "actions",
                    header: "",
                    cell: (a) =>
                      a.state !== "archived" ? (
                        <Button size="sm" variant="secondary" onClick={() => setArchiving(a.id)}>
                          Archive
                        </Button>
                      ) : null,
                  },
                ]}
              />
            )}
          </QueryState>
        </Card>
      </div>
      <ConfirmDialog
        open={!!archiving}
        onClose={() => setArchiving(null)}
        title="Archive this announcement?"
        description="Tenants stop seeing it at once."
        confirmLabel="Archive"
        pending={archive.isPending}
        error={archive.error?.message}
        onConfirm={() => archiving && archive.mutate({ id: archiving }, { onSuccess: () => setArchiving(null) })}
      />
    </>
  );
}
