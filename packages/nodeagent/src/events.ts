// Events the kubelet records about a pod (Pulling, Pulled, Created, Started, BackOff, Failed…),
// repeated ones folded into one Event with a count, as upstream's event correlator does.
import { randomBytes } from "node:crypto";
import type { KubeClient } from "./kubeclient.ts";

export type EventType = "Normal" | "Warning";

export class PodEventRecorder {
  private seen = new Map<string, { name: string; count: number }>();

  constructor(
    private readonly client: KubeClient,
    private readonly nodeName: string,
    private readonly pod: { name: string; namespace: string; uid: string },
  ) {}

  record(type: EventType, reason: string, message: string, container?: string): void {
    void this.send(type, reason, message, container).catch(() => undefined);
  }

  private async send(type: EventType, reason: string, message: string, container?: string): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const base = `/api/v1/namespaces/${this.pod.namespace}/events`;
    const key = `${type}|${reason}|${message}|${container ?? ""}`;
    const prev = this.seen.get(key);
    if (prev) {
      prev.count++;
      await this.client.mergePatch(`${base}/${prev.name}`, { count: prev.count, lastTimestamp: now });
      return;
    }
    const name = `${this.pod.name}.${randomBytes(8).toString("hex")}`;
    this.seen.set(key, { name, count: 1 });
    await this.client.create(base, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace: this.pod.namespace },
      involvedObject: {
        apiVersion: "v1",
        kind: "Pod",
        name: this.pod.name,
        namespace: this.pod.namespace,
        uid: this.pod.uid,
        ...(container ? { fieldPath: `spec.containers{${container}}` } : {}),
      },
      reason,
      message,
      type,
      source: { component: "kubelet", host: this.nodeName },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: "kubelet",
      reportingInstance: this.nodeName,
    });
  }
}
