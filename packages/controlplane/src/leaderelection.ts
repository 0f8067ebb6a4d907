// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does for
// kube-controller-manager and kube-scheduler: with several API-server processes of one HA control
// plane on the same etcd prefix, the controllers (and the scheduler) run in one process at a time.
//
// A candidate takes the Lease when it is free or expired (renewTime + leaseDurationSeconds in the
// past), renews it every retry period while leading, and gives leadership up when a renewal has not
// succeeded within the renew deadline (another process may take the Lease once it expires). Writes
// are compare-and-swap on resourceVersion, so two candidates never both win the same term.
// Upstream defaults: lease 15 s, renew deadline 10 s, retry 2 s.
import { randomBytes } from "node:crypto";
import { ApiError, type Client, type KubeObject, type ResourceRef } from "./client.ts";

export interface LeaderElectionOptions {
  /** Lease name in kube-system: "kube-controller-manager" or "kube-scheduler". */
  name: string;
  namespace?: string;
  /** holderIdentity: unique per process (upstream: hostname + "_" + uuid). */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Runs when this process becomes leader; the returned stop() runs when it stops leading. */
  onStartedLeading: () => { stop(): Promise<void> };
  onStoppedLeading?: () => void;
  log?: (msg: string) => void;
}

export interface LeaderElector {
  isLeader(): boolean;
  /** Stops campaigning; a leader releases the Lease (holder cleared) so another takes over at once. */
  stop(): Promise<void>;
}

interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

const LEASES: ResourceRef = { group: "coordination.k8s.io", version: "v1", resource: "leases" };
const microTime = (d: Date) => d.toISOString().replace("Z", "000Z");

export function leaderIdentity(name: string): string {
  return `${name}_${randomBytes(8).toString("hex")}`;
}

export function startLeaderElection(client: Client, opts: LeaderElectionOptions): LeaderElector {
  const ns = opts.namespace ?? "kube-system";
  const leaseMs = opts.leaseDurationMs ?? 15_000;
  const renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
  const retryMs = opts.retryPeriodMs ?? 2_000;
  const log = opts.log ?? (() => {});
  let leading: { stop(): Promise<void> } | undefined;
  let lastRenew = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const body = (prev: Lease | undefined, now: Date): Lease => {
    const wasOurs = prev?.spec?.holderIdentity === opts.identity;
    return {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: prev
        ? { ...prev.metadata }
        : { name: opts.name, namespace: ns, labels: { "nuage.dev/leader-election": "true" } },
      spec: {
        holderIdentity: opts.identity,
        leaseDurationSeconds: Math.max(1, Math.round(leaseMs / 1000)),
        acquireTime: wasOurs ? (prev?.spec?.acquireTime ?? microTime(now)) : microTime(now),
        renewTime: microTime(now),
        leaseTransitions: (prev?.spec?.leaseTransitions ?? 0) + (prev && !wasOurs ? 1 : 0),
      },
    };
  };

  /** One attempt to acquire or renew; true when this process holds the Lease afterwards. */
  async function tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    let prev: Lease | undefined;
    try {
      prev = await client.get<Lease>(LEASES, ns, opts.name);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    }
    if (!prev) {
      try {
        await client.create(LEASES, body(undefined, now));
        return true;
      } catch (e) {
        if (e instanceof ApiError && e.code === 409) return false;
        throw e;
      }
    }
    const holder = prev.spec?.holderIdentity;
    if (holder && holder !== opts.identity) {
      const renewed = Date.parse(prev.spec?.renewTime ?? "") || 0;
      const duration = (prev.spec?.leaseDurationSeconds ?? 15) * 1000;
      // Held by another process and not expired (a reader judges by the record it sees, as upstream).
      if (renewed + duration > now.getTime()) return false;
    }
    try {
      await client.update(LEASES, body(prev, now));
      return true;
    } catch (e) {
      if (e instanceof ApiError && (e.code === 409 || e.code === 404)) return false;
      throw e;
    }
  }

  async function giveUp(reason: string): Promise<void> {
    const l = leading;
    leading = undefined;
    if (!l) return;
    log(`leader election ${opts.name}: stopped leading (${reason})`);
    await l.stop().catch(() => {});
    opts.onStoppedLeading?.();
  }

  async function tick(): Promise<void> {
    if (stopped) return;
    let ok = false;
    try {
      ok = await tryAcquireOrRenew();
    } catch (e) {
      log(`leader election ${opts.name}: ${(e as Error).message}`);
    }
    if (stopped) return;
    const now = Date.now();
    if (ok) {
      lastRenew = now;
      if (!leading) {
        log(`leader election ${opts.name}: became leader as ${opts.identity}`);
        leading = opts.onStartedLeading();
      }
    } else if (leading && now - lastRenew > renewDeadlineMs) {
      await giveUp("renew deadline passed");
    } else if (leading && !ok) {
      // Someone else holds it now (our term was taken after expiry): stop at once.
      const cur = await client.get<Lease>(LEASES, ns, opts.name).catch(() => undefined);
      if (cur?.spec?.holderIdentity && cur.spec.holderIdentity !== opts.identity) await giveUp("lease taken");
    }
  }

  const loop = () => {
    if (stopped) return;
    running = tick().finally(() => {
      if (!stopped) timer = setTimeout(loop, retryMs);
    });
  };
  loop();

  return {
    isLeader: () => Boolean(leading),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running.catch(() => {});
      const wasLeading = Boolean(leading);
      await giveUp("shutting down");
      if (wasLeading) {
        // Release: an expired renewTime lets the next candidate take over without waiting a term.
        try {
          const cur = await client.get<Lease>(LEASES, ns, opts.name);
          if (cur.spec?.holderIdentity === opts.identity) {
            await client.update(LEASES, {
              ...cur,
              spec: { ...cur.spec, holderIdentity: "", renewTime: microTime(new Date()), leaseDurationSeconds: 1 },
            });
          }
        } catch {
          // The next leader waits for the term to expire instead.
        }
      }
    },
  };
}
