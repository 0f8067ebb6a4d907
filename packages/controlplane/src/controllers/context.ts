import type { Client } from "../client.ts";
import { EventRecorder } from "./events.ts";
import type { InformerFactory } from "./informer.ts";
import type { ControllerOptions } from "./options.ts";

/** What every controller gets: the client, the shared informers, an event recorder, options. */
export interface ControllerContext {
  client: Client;
  informers: InformerFactory;
  opts: ControllerOptions;
  log: (msg: string) => void;
  recorder(component: string): EventRecorder;
}

export interface RunningController {
  /** Called once informers are synced. */
  run?(): void;
  stop(): Promise<void>;
}

export function makeContext(client: Client, informers: InformerFactory, opts: ControllerOptions): ControllerContext {
  const recorders = new Map<string, EventRecorder>();
  return {
    client,
    informers,
    opts,
    log: opts.log ?? (() => {}),
    recorder(component) {
      let r = recorders.get(component);
      if (!r) recorders.set(component, (r = new EventRecorder(client, component)));
      return r;
    },
  };
}
