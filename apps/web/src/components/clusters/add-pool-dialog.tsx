"use client";

import { Button, Dialog } from "@nuage/ui";
import { useState } from "react";
import { fieldErrors } from "~/lib/errors";
import { newPool, poolErrors, poolInput, splitFieldErrors } from "./draft";
import { type PoolDraft, PoolRow } from "./pool-rows";
import type { ClusterView, FlavorView } from "./types";
import { poolAsInput, type useUpdateCluster } from "./use-update";

export function AddPoolDialog({
  open,
  onClose,
  cluster,
  flavors,
  update,
}: {
  open: boolean;
  onClose: () => void;
  cluster: ClusterView;
  flavors: FlavorView[];
  update: ReturnType<typeof useUpdateCluster>;
}) {
  const [draft, setDraft] = useState<PoolDraft | null>(null);
  const [submitted, setSubmitted] = useState(false);
  const pool = draft ?? newPool(`pool-${cluster.nodePools.length + 1}`, flavors[0]?.name ?? "", 1);
  const existing = cluster.nodePools.map((p) => ({ ...newPool(p.name, p.flavor), key: p.id }));
  const local = poolErrors(pool, [...existing, pool]);
  const server = splitFieldErrors(fieldErrors(update.error)).pools[cluster.nodePools.length] ?? {};
  const close = () => {
    setDraft(null);
    setSubmitted(false);
    onClose();
  };
  return (
    <Dialog
      open={open}
      onClose={close}
      title="Add a node pool"
      description="The new nodes join the cluster once the pool is created."
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={update.isPending}>
            Cancel
          </Button>
          <Button
            pending={update.isPending}
            onClick={() => {
              setSubmitted(true);
              if (Object.keys(local).length > 0) return;
              update.mutate(
                { id: cluster.id, nodePools: [...cluster.nodePools.map((p) => poolAsInput(p)), poolInput(pool)] },
                { onSuccess: close },
              );
            }}
          >
            Add pool
          </Button>
        </>
      }
    >
      <PoolRow
        index={cluster.nodePools.length}
        pool={pool}
        flavors={flavors}
        errors={{ ...(submitted ? local : {}), ...server }}
        onChange={(patch) => setDraft({ ...pool, ...patch })}
        compact
      />
      {update.error && Object.keys(server).length === 0 ? (
        <p role="alert" className="mt-3 text-sm font-medium text-red-600">
          {update.error.message}
        </p>
      ) : null}
    </Dialog>
  );
}
