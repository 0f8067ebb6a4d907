"use client";

import { Banner, Button, Card, Dialog, Input } from "@nuage/ui";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { fieldErrors } from "~/lib/errors";
import { canWrite } from "~/lib/roles";
import { useTRPC } from "~/trpc/client";
import { useMe } from "../portal/me-context";
import type { ClusterView } from "./types";
import { useCluster, useClusterId } from "./use-cluster";

export function ClusterSettings() {
  const id = useClusterId();
  const me = useMe();
  const trpc = useTRPC();
  const qc = useQueryClient();
  const q = useCluster(id);
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const del = useMutation(
    trpc.clusters.delete.mutationOptions({
      onSuccess: async (data) => {
        setOpen(false);
        if (data) qc.setQueryData(trpc.clusters.get.queryKey({ id }), data);
        await qc.invalidateQueries({ queryKey: trpc.clusters.get.queryKey({ id }) });
        await qc.invalidateQueries({ queryKey: trpc.clusters.list.queryKey() });
      },
    }),
  );
  if (!q.data) return null;
  const c = q.data as ClusterView;
  const writer = canWrite(me.currentOrg?.role);
  const deleting = c.status === "deleting" || c.status === "deleted";
  const err = fieldErrors(del.error).confirmName;
  return (
    <div className="space-y-6">
      <Card
        title="Delete cluster"
        description="Deletes the nodes, volumes, load balancers and the control plane. Workloads and their data are gone for good."
      >
        {!writer ? (
          <Banner tone="info">Your role cannot delete clusters.</Banner>
        ) : deleting ? (
          <Banner tone="warning">The cluster is being deleted: follow the steps above.</Banner>
        ) : (
          <Button variant="danger" onClick={() => setOpen(true)}>
            Delete cluster
          </Button>
        )}
      </Card>
      <Dialog
        open={open}
        onClose={() => {
          setOpen(false);
          setTyped("");
        }}
        title={`Delete ${c.name}?`}
        description={
          <>
            This cannot be undone. Type <strong className="font-mono">{c.name}</strong> to confirm.
          </>
        }
        footer={
          <>
            <Button variant="secondary" onClick={() => setOpen(false)} disabled={del.isPending}>
              Cancel
            </Button>
            <Button
              variant="danger"
              disabled={typed !== c.name}
              pending={del.isPending}
              onClick={() => del.mutate({ id: c.id, confirmName: typed })}
            >
              Delete cluster
            </Button>
          </>
        }
      >
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (typed === c.name) del.mutate({ id: c.id, confirmName: typed });
          }}
        >
          <Input
            label="Cluster name"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            autoComplete="off"
            autoFocus
            error={err ?? (del.error && !err ? del.error.message : undefined)}
          />
        </form>
      </Dialog>
    </div>
  );
}
