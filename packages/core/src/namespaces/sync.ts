// Desired state → worker: each change bumps `generation` and, after commit, enqueues
// `namespace.sync` with job id = object id + generation (a repeated enqueue is a no-op).
import { enqueue } from "@nuage/jobs";
import type { AfterCommit } from "../tx.ts";

export const SYNCABLE_CLUSTER = ["running", "updating", "degraded"] as const;

export function waitingMessage(status: string): string | null {
  return (SYNCABLE_CLUSTER as readonly string[]).includes(status)
    ? null
    : `Waiting for the cluster to be running (it is ${status}); queued`;
}

export function enqueueSync(after: AfterCommit, type: "namespace" | "item" | "grant", id: string, generation: number) {
  after(() => enqueue("namespace.sync", { type, id }, { jobId: `${type}-${id}-${generation}` }));
}

export type SyncFields = {
  generation: number;
  syncedGeneration: number;
  syncStatus: "pending" | "syncing" | "synced" | "error";
  syncMessage: string | null;
  syncedAt: Date | null;
  deletingAt: Date | null;
};

export const syncView = (r: SyncFields) => ({
  version: r.generation,
  syncStatus: r.syncStatus,
  syncMessage: r.syncMessage,
  syncedAt: r.syncedAt,
  deleting: r.deletingAt !== null,
});
