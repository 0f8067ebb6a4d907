import type { Client, KubeObject } from "../client.ts";
import { nowIso, R } from "./refs.ts";

// An event recorder like client-go's: core/v1 Events in the object's namespace, repeats of the
// same (object, type, reason, message) aggregated into one Event whose count and lastTimestamp
// grow, so `kubectl describe` shows "Events:" as upstream does.

interface Cached {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

export class EventRecorder {
  private cache = new Map<string, Cached>();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: Client,
    private readonly component: string,
    private readonly host?: string,
  ) {}

  normal(obj: KubeObject, reason: string, message: string): void {
    this.record(obj, "Normal", reason, message);
  }

  warning(obj: KubeObject, reason: string, message: string): void {
    this.record(obj, "Warning", reason, message);
  }

  record(obj: KubeObject, type: "Normal" | "Warning", reason: string, message: string): void {
    // Serialised so that a burst of repeats aggregates instead of racing creates.
    this.chain = this.chain.then(() => this.write(obj, type, reason, message)).catch(() => {});
  }

  /** Resolves when every recorded event has been written (tests, shutdown). */
  flush(): Promise<void> {
    return this.chain;
  }

  private async write(obj: KubeObject, type: string, reason: string, message: string): Promise<void> {
    const namespace = obj.metadata.namespace || "default";
    const key = [obj.metadata.uid ?? obj.metadata.name, type, reason, message].join("\u0000");
    const now = nowIso();
    const hit = this.cache.get(key);
    if (hit) {
      try {
        await this.client.patch(R.events, hit.namespace, hit.name, "merge", {
          count: hit.count + 1,
          lastTimestamp: now,
        });
        hit.count++;
        return;
      } catch {
        this.cache.delete(key);
      }
    }
    const name = `${obj.metadata.name}.${(Date.now() * 1e6 + Math.floor(Math.random() * 1e6)).toString(16)}`;
    const ev: KubeObject = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: this.component, ...(this.host ? { host: this.host } : {}) },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: this.component,
      reportingInstance: this.host ?? "",
    };
    try {
      await this.client.create(R.events, ev);
      if (this.cache.size > 4096) this.cache.clear();
      this.cache.set(key, { name, namespace, count: 1, firstTimestamp: now });
    } catch {
      // Events are best effort, as upstream.
    }
  }
}
