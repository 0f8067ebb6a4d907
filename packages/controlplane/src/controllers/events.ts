import type { Client, KubeObject } from "../client.ts";
import { nowIso, R } from "./refs.ts";

// An event recorder like client-go's: core/v1 Events in the object's namespace, repeats of the
// same (object, type, reason, message) aggregated into one Event whose count and lastTimestamp
// grow, so `kubectl describe` shows "Events:" as upstream does.
//
// Writes are off the caller's path and concurrent across different events (up to
// MAX_CONCURRENT_WRITES); only repeats of one (object, type, reason, message) are serialised, so
// they aggregate instead of racing creates. One global chain made a burst of N pods' events
// take N round trips to etcd one after the other.

const MAX_CONCURRENT_WRITES = 8;

interface Cached {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

export class EventRecorder {
  private cache = new Map<string, Cached>();
  /** Per aggregation key: the last write queued for it. */
  private chains = new Map<string, Promise<void>>();
  private active = 0;
  private waiting: (() => void)[] = [];

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
    const key = [obj.metadata.uid ?? obj.metadata.name, type, reason, message].join("\u0000");
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next: Promise<void> = prev
      .then(() => this.limited(() => this.write(key, obj, type, reason, message)))
      .catch(() => {})
      .finally(() => {
        if (this.chains.get(key) === next) this.chains.delete(key);
      });
    this.chains.set(key, next);
  }

  /** Resolves when every recorded event has been written (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  private async limited(fn: () => Promise<void>): Promise<void> {
    while (this.active >= MAX_CONCURRENT_WRITES) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  private async write(key: string, obj: KubeObject, type: string, reason: string, message: string): Promise<void> {
    const namespace = obj.metadata.namespace || "default";
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
