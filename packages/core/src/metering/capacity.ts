// Cluster-level meters for aligned windows, computed from the provider's records of what a cluster held
// (machines by flavor, control plane, load balancers) with their create/delete times. The same function
// serves the on-time collection and the filling of late or missed windows, so both count exactly the
// seconds the provider billed for: nothing is guessed, and a window computed twice gives the same rows.
import type { UsageRecord } from "@nuage/providers";
import { flavorOf } from "../clusters/catalog.ts";
import type { ClusterMeter, Sample, SampleSource } from "./meters.ts";

export interface CapacityInput {
  orgId: string;
  clusterId: string;
  records: UsageRecord[];
  /** Windows [from, to) of `seconds` each; `from` and `to` aligned. */
  from: Date;
  to: Date;
  seconds: number;
  haControlPlane: boolean;
  /** Windows starting at or after this are labelled "collector"; earlier ones were filled ("provider"). */
  onTimeFrom: Date;
}

/** Seconds of [a, b) that the resource existed (records carry whole seconds). */
export function overlapSeconds(rec: { createdAt: Date; deletedAt: Date | null }, a: number, b: number): number {
  const start = Math.max(a, rec.createdAt.getTime());
  const end = Math.min(b, rec.deletedAt ? rec.deletedAt.getTime() : Number.POSITIVE_INFINITY);
  return end > start ? Math.floor((end - start) / 1000) : 0;
}

export function capacitySamples(input: CapacityInput): Sample[] {
  const out: Sample[] = [];
  const w = input.seconds * 1000;
  const relevant = input.records.filter(
    (r) => r.createdAt.getTime() < input.to.getTime() && (!r.deletedAt || r.deletedAt.getTime() > input.from.getTime()),
  );
  for (let a = input.from.getTime(); a < input.to.getTime(); a += w) {
    const b = a + w;
    const q: Record<ClusterMeter, bigint> = {
      node_vcpu_seconds: 0n,
      node_memory_mib_seconds: 0n,
      controlplane_seconds: 0n,
      controlplane_ha_seconds: 0n,
      loadbalancer_seconds: 0n,
    };
    for (const r of relevant) {
      const s = overlapSeconds(r, a, b);
      if (s === 0) continue;
      if (r.kind === "machine") {
        const f = r.flavor ? flavorOf(r.flavor) : undefined;
        if (!f) continue;
        q.node_vcpu_seconds += BigInt(f.vcpus * s);
        q.node_memory_mib_seconds += BigInt(f.memoryMiB * s);
      } else if (r.kind === "controlplane") {
        q.controlplane_seconds += BigInt(s);
        if (input.haControlPlane) q.controlplane_ha_seconds += BigInt(s);
      } else if (r.kind === "loadbalancer") {
        q.loadbalancer_seconds += BigInt(s);
      }
    }
    const source: SampleSource = a >= input.onTimeFrom.getTime() ? "collector" : "provider";
    for (const [meter, quantity] of Object.entries(q) as [ClusterMeter, bigint][]) {
      if (quantity === 0n) continue;
      out.push({
        orgId: input.orgId,
        clusterId: input.clusterId,
        namespace: "",
        meter,
        windowStart: new Date(a),
        windowSeconds: input.seconds,
        quantity,
        source,
      });
    }
  }
  return out;
}

/** What the provider billed in [from, to): the truth the ledger is compared with (tests, reconciliation). */
export function providerTotals(records: UsageRecord[], from: Date, to: Date, haControlPlane: boolean) {
  const totals: Record<ClusterMeter, bigint> = {
    node_vcpu_seconds: 0n,
    node_memory_mib_seconds: 0n,
    controlplane_seconds: 0n,
    controlplane_ha_seconds: 0n,
    loadbalancer_seconds: 0n,
  };
  for (const r of records) {
    const s = overlapSeconds(r, from.getTime(), to.getTime());
    if (r.kind === "machine") {
      const f = r.flavor ? flavorOf(r.flavor) : undefined;
      if (!f) continue;
      totals.node_vcpu_seconds += BigInt(f.vcpus * s);
      totals.node_memory_mib_seconds += BigInt(f.memoryMiB * s);
    } else if (r.kind === "controlplane") {
      totals.controlplane_seconds += BigInt(s);
      if (haControlPlane) totals.controlplane_ha_seconds += BigInt(s);
    } else if (r.kind === "loadbalancer") totals.loadbalancer_seconds += BigInt(s);
  }
  return totals;
}
