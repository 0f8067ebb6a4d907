// The cloud's usage records: when each VM, control plane, volume and load balancer started and stopped
// existing, the provider's truth that metering fills late or missed windows from. Derived by comparing
// the state with the open records on every write and every read, so every create and delete path is
// covered (no hook per call site). Times are whole seconds; under NUAGE_TEST=1 they follow
// NUAGE_TEST_CLOCK_OFFSET_MS like the platform clock.
import type { StateDoc } from "./state.ts";

export type UsageKind = "machine" | "controlplane" | "volume" | "loadbalancer";

export interface UsageRecordEntry {
  kind: UsageKind;
  id: string;
  controlPlaneId?: string;
  flavor?: string;
  sizeGiB?: number;
  createdAt: string;
  deletedAt?: string;
}

/** Records closed longer ago than this are dropped from the state. */
const KEEP_MS = 400 * 86_400_000;

function clockMs(): number {
  const offset = process.env.NUAGE_TEST === "1" ? Number(process.env.NUAGE_TEST_CLOCK_OFFSET_MS) || 0 : 0;
  return Date.now() + offset;
}

const seconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();

function current(doc: StateDoc): Map<string, Omit<UsageRecordEntry, "createdAt">> {
  const m = new Map<string, Omit<UsageRecordEntry, "createdAt">>();
  for (const v of Object.values(doc.vms))
    m.set(`machine:${v.id}`, { kind: "machine", id: v.id, controlPlaneId: v.controlPlaneId, flavor: v.flavor });
  for (const c of Object.values(doc.controlPlanes))
    m.set(`controlplane:${c.id}`, { kind: "controlplane", id: c.id, controlPlaneId: c.id });
  for (const v of Object.values(doc.volumes))
    m.set(`volume:${v.id}`, { kind: "volume", id: v.id, controlPlaneId: v.controlPlaneId, sizeGiB: v.sizeGiB });
  for (const l of Object.values(doc.loadBalancers))
    m.set(`loadbalancer:${l.id}`, { kind: "loadbalancer", id: l.id, controlPlaneId: l.controlPlaneId });
  return m;
}

/** Opens records for new resources and closes those of deleted ones. Returns true when something changed. */
export function syncUsageRecords(doc: StateDoc): boolean {
  const records = (doc.usageRecords ??= []);
  const now = clockMs();
  const live = current(doc);
  const open = new Map<string, UsageRecordEntry>();
  for (const r of records) if (!r.deletedAt) open.set(`${r.kind}:${r.id}`, r);
  let changed = false;
  for (const [key, r] of open) {
    if (!live.has(key)) {
      r.deletedAt = seconds(now);
      changed = true;
    }
  }
  for (const [key, r] of live) {
    if (!open.has(key)) {
      records.push({ ...r, createdAt: seconds(now) });
      changed = true;
    }
  }
  const cutoff = now - KEEP_MS;
  if (records.some((r) => r.deletedAt && Date.parse(r.deletedAt) < cutoff)) {
    doc.usageRecords = records.filter((r) => !r.deletedAt || Date.parse(r.deletedAt) >= cutoff);
    changed = true;
  }
  return changed;
}

/** Records of one control plane (or all), optionally only those still open or closed after `since`. */
export function listUsageRecords(doc: StateDoc, filter: { controlPlaneId?: string; since?: Date }): UsageRecordEntry[] {
  syncUsageRecords(doc);
  const since = filter.since?.getTime();
  return (doc.usageRecords ?? []).filter(
    (r) =>
      (!filter.controlPlaneId || r.controlPlaneId === filter.controlPlaneId) &&
      (since === undefined || !r.deletedAt || Date.parse(r.deletedAt) > since),
  );
}
