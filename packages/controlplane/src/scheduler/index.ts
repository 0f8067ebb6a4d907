import type { Client } from "../client.ts";

export interface SchedulerOptions {
  schedulerName?: string;
  log?: (msg: string) => void;
}

/** Starts kube-scheduler: binds unscheduled pods to nodes. */
export function startScheduler(_client: Client, _opts: SchedulerOptions = {}): { stop(): Promise<void> } {
  return { stop: async () => {} };
}
