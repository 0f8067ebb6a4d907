import type { Client } from "../client.ts";
import { EventRecorder } from "../controllers/events.ts";
import { SharedInformer } from "../controllers/informer.ts";
import { clone, isConflict, isNotFound, nowIso, objKey, R } from "../controllers/refs.ts";
import { filterNode, fitErrorMessage, nodeAllocatable, podHostPorts } from "./filters.ts";
import { addResources, podRequests, type Resources } from "./quantity.ts";
import { nonZero, scoreNodes, selectHost } from "./scores.ts";
import type { FilterResult, Node, NodeInfo, SchedPod } from "./types.ts";

export interface SchedulerOptions {
  schedulerName?: string;
  /** Backoff of a pod that failed to schedule: initial and maximum, in ms (upstream 1s/10s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  log?: (msg: string) => void;
}

// kube-scheduler: a queue of unscheduled pods (active, backoff, unschedulable), a cache of
// what is bound or assumed on each node, filter + score, then a Binding. Unschedulable pods
// wait until a node or pod changes (or 5 min pass, as upstream) and are retried with backoff.
//
// As upstream, the scheduling cycle is serial but binding is not: the chosen node is *assumed*
// for the pod in the cache (so the next cycles count its requests) and the Binding is written
// asynchronously, up to MAX_BINDS_IN_FLIGHT at once; a failed binding forgets the assumption and
// retries the pod after its backoff. The per-node totals are recomputed only when a bound pod,
// a node or an assumption changed, not for every pod (5,000 pending pods cost one pass, not
// 5,000).

/** Bindings written concurrently (upstream binds in a goroutine per pod). */
const MAX_BINDS_IN_FLIGHT = 16;
/** Unschedulable pods are retried at least this often (upstream's podMaxInUnschedulablePodsDuration). */
const UNSCHEDULABLE_MAX_MS = 5 * 60_000;

export function startScheduler(client: Client, opts: SchedulerOptions = {}): { stop(): Promise<void> } {
  const log = opts.log ?? (() => {});
  const name = opts.schedulerName ?? "default-scheduler";
  const podInf = new SharedInformer<SchedPod>(client, R.pods, log);
  const nodeInf = new SharedInformer<Node>(client, R.nodes, log);
  const recorder = new EventRecorder(client, name);
  const assumed = new Map<string, { node: string; at: number }>(); // pod key -> node, until the informer sees it
  const attempts = new Map<string, number>();
  const unschedulable = new Set<string>();
  /** When each unschedulable pod was parked. */
  const parkedAt = new Map<string, number>();
  /** Unschedulable pods some node rejected for resources or ports only: a pod leaving may make room. */
  const wantsRoom = new Set<string>();
  const active: string[] = [];
  const inActive = new Set<string>();
  const timers = new Map<string, NodeJS.Timeout>();
  let wake: (() => void) | null = null;
  let stopped = false;
  const inFlight = new Set<Promise<void>>();
  let slotFree: (() => void) | null = null;
  /** Bumped whenever what nodeInfos() computes may have changed. */
  let cacheGen = 0;
  let cached: { gen: number; at: number; infos: NodeInfo[] } | undefined;
  const assume = (key: string, node: string) => {
    assumed.set(key, { node, at: Date.now() });
    cacheGen++;
  };
  const forget = (key: string) => {
    if (assumed.delete(key)) cacheGen++;
  };

  const mine = (p: SchedPod) =>
    !p.spec?.nodeName &&
    !p.metadata.deletionTimestamp &&
    (p.spec?.schedulerName ?? "default-scheduler") === name &&
    p.status?.phase !== "Succeeded" &&
    p.status?.phase !== "Failed";

  function activate(key: string) {
    if (stopped || inActive.has(key)) return;
    unschedulable.delete(key);
    wantsRoom.delete(key);
    inActive.add(key);
    active.push(key);
    wake?.();
  }

  function backoff(key: string) {
    const n = attempts.get(key) ?? 0;
    const delay = Math.min((opts.initialBackoffMs ?? 1000) * 2 ** Math.max(n - 1, 0), opts.maxBackoffMs ?? 10_000);
    const prev = timers.get(key);
    if (prev) clearTimeout(prev);
    const t = setTimeout(() => {
      timers.delete(key);
      activate(key);
    }, delay);
    t.unref?.();
    timers.set(key, t);
  }

  /**
   * Something changed that may let unschedulable pods fit: retry them (after their backoff). A
   * bound pod leaving only helps pods that some node turned down for lack of resources or ports
   * (upstream's queueing hints): 5,000 pods no node's labels match are not retried, and do not
   * write their FailedScheduling event again, each time a pod is deleted.
   */
  let moveCycle = 0;
  function moveAllToActive(onlyWantingRoom = false) {
    moveCycle++;
    for (const key of [...(onlyWantingRoom ? wantsRoom : unschedulable)]) {
      unschedulable.delete(key);
      wantsRoom.delete(key);
      backoff(key);
    }
  }

  podInf.addHandler({
    add: (p) => {
      if (p.spec?.nodeName) cacheGen++;
      if (mine(p)) activate(objKey(p));
    },
    update: (o, p) => {
      const key = objKey(p);
      if (o.spec?.nodeName || p.spec?.nodeName) cacheGen++;
      if (p.spec?.nodeName && assumed.get(key)?.node === p.spec.nodeName) forget(key);
      if (mine(p)) {
        if (!inActive.has(key) && !timers.has(key) && !unschedulable.has(key)) activate(key);
        else if (unschedulable.has(key) && JSON.stringify(o.spec) !== JSON.stringify(p.spec)) activate(key);
      }
    },
    delete: (p) => {
      const key = objKey(p);
      forget(key);
      if (p.spec?.nodeName) cacheGen++;
      unschedulable.delete(key);
      wantsRoom.delete(key);
      parkedAt.delete(key);
      attempts.delete(key);
      if (p.spec?.nodeName) moveAllToActive(true);
    },
  });
  nodeInf.addHandler({
    add: () => {
      cacheGen++;
      moveAllToActive();
    },
    update: (o, n) => {
      cacheGen++;
      if (
        JSON.stringify(o.spec) !== JSON.stringify(n.spec) ||
        JSON.stringify(o.metadata.labels) !== JSON.stringify(n.metadata.labels) ||
        readyOf(o) !== readyOf(n) ||
        JSON.stringify(o.status?.allocatable) !== JSON.stringify(n.status?.allocatable)
      ) {
        moveAllToActive();
      }
    },
    delete: () => {
      cacheGen++;
    },
  });
  // Upstream's flushUnschedulablePodsLeftover: every 30 s, pods parked for 5 min are retried
  // anyway (retrying all of them every minute rewrote 5,000 FailedScheduling events a minute).
  const flush = setInterval(() => {
    const now = Date.now();
    for (const key of [...unschedulable]) {
      if (now - (parkedAt.get(key) ?? 0) < UNSCHEDULABLE_MAX_MS) continue;
      unschedulable.delete(key);
      wantsRoom.delete(key);
      backoff(key);
    }
  }, 30_000);
  flush.unref?.();

  /** Requests per pod object (informer objects are replaced, never mutated, on update). */
  const requestsOf = new WeakMap<SchedPod, Resources>();
  const podReq = (p: SchedPod) => {
    let r = requestsOf.get(p);
    if (!r) requestsOf.set(p, (r = podRequests(p.spec ?? {})));
    return r;
  };

  /** Per-node totals; the same (read-only) result while nothing they depend on changed. */
  function nodeInfos(): NodeInfo[] {
    const now = Date.now();
    // Assumptions expire after 30 s: recompute at least every 5 s so an expired one is dropped.
    if (cached && cached.gen === cacheGen && now - cached.at < 5000) return cached.infos;
    const gen = cacheGen;
    const infos = computeNodeInfos(now);
    cached = { gen, at: now, infos };
    return infos;
  }

  function computeNodeInfos(now: number): NodeInfo[] {
    const byNode = new Map<string, NodeInfo>();
    for (const node of nodeInf.list()) {
      byNode.set(node.metadata.name!, {
        node,
        allocatable: nodeAllocatable(node),
        requested: {},
        nonZeroRequested: {},
        podCount: 0,
        usedPorts: new Set(),
        owners: new Map(),
      });
    }
    for (const p of podInf.list()) {
      const key = objKey(p);
      let nodeName = p.spec?.nodeName;
      const a = assumed.get(key);
      if (!nodeName && a) {
        if (now - a.at > 30_000) assumed.delete(key);
        else nodeName = a.node;
      }
      if (!nodeName || p.status?.phase === "Succeeded" || p.status?.phase === "Failed") continue;
      const info = byNode.get(nodeName);
      if (!info) continue;
      const req = podReq(p);
      info.requested = addResources(info.requested, req);
      info.nonZeroRequested = addResources(info.nonZeroRequested, nonZero(req));
      info.podCount++;
      const owner = p.metadata.ownerReferences?.find((r) => r.controller)?.uid;
      if (owner) info.owners.set(owner, (info.owners.get(owner) ?? 0) + 1);
      for (const port of podHostPorts(p)) info.usedPorts.add(port);
    }
    return [...byNode.values()];
  }

  /** One scheduling cycle: filter, score, assume; the binding runs in the background. */
  function scheduleOne(key: string) {
    const pod = podInf.get(key);
    if (!pod || !mine(pod) || assumed.has(key)) return;
    attempts.set(key, (attempts.get(key) ?? 0) + 1);
    const cycle = moveCycle;
    const infos = nodeInfos();
    const req: Resources = podReq(pod);
    const feasible: NodeInfo[] = [];
    const failures: FilterResult[] = [];
    for (const info of infos) {
      const f = filterNode(pod, info, req);
      if (f) failures.push(f);
      else feasible.push(info);
    }
    if (feasible.length === 0) {
      const room = failures.some((f) => !f.unresolvable);
      track(failed(pod, fitErrorMessage(infos.length, failures), cycle, room));
      return;
    }
    const owner = pod.metadata.ownerReferences?.find((r) => r.controller)?.uid;
    const siblings = feasible.map((info) => (owner ? (info.owners.get(owner) ?? 0) : 0));
    const chosen = feasible[selectHost(scoreNodes(pod, feasible, req, siblings))]!;
    const nodeName = chosen.node.metadata.name!;
    assume(key, nodeName);
    track(bind(pod, key, nodeName));
  }

  function track(p: Promise<void>) {
    const done: Promise<void> = p
      .catch((err) => log(`scheduler: ${(err as Error).message}`))
      .finally(() => {
        inFlight.delete(done);
        slotFree?.();
      });
    inFlight.add(done);
  }

  async function bind(pod: SchedPod, key: string, nodeName: string) {
    try {
      await client.createSubresource(R.pods, pod.metadata.namespace, pod.metadata.name!, "binding", {
        apiVersion: "v1",
        kind: "Binding",
        metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
        target: { apiVersion: "v1", kind: "Node", name: nodeName },
      });
      attempts.delete(key);
      recorder.normal(
        pod,
        "Scheduled",
        `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${nodeName}`,
      );
    } catch (err) {
      forget(key);
      if (isNotFound(err)) return;
      log(`scheduler: binding ${key} to ${nodeName} failed: ${(err as Error).message}`);
      if (!isConflict(err)) recorder.warning(pod, "FailedScheduling", `Binding rejected: ${(err as Error).message}`);
      backoff(key);
    }
  }

  async function failed(pod: SchedPod, message: string, cycle: number, room = true) {
    const key = objKey(pod);
    recorder.warning(pod, "FailedScheduling", message);
    // Something changed while this attempt ran: retry after backoff instead of parking the pod.
    if (cycle !== moveCycle) backoff(key);
    else {
      unschedulable.add(key);
      parkedAt.set(key, Date.now());
      if (room) wantsRoom.add(key);
    }
    const conds = (pod.status?.conditions ?? []) as {
      type: string;
      status: string;
      reason?: string;
      message?: string;
    }[];
    const cur = conds.find((c) => c.type === "PodScheduled");
    if (cur?.status === "False" && cur.reason === "Unschedulable" && cur.message === message) return;
    const upd = clone(pod);
    upd.status = {
      ...(upd.status ?? {}),
      phase: upd.status?.phase ?? "Pending",
      conditions: [
        ...conds.filter((c) => c.type !== "PodScheduled"),
        {
          type: "PodScheduled",
          status: "False",
          reason: "Unschedulable",
          message,
          lastProbeTime: null,
          lastTransitionTime: nowIso(),
        },
      ],
    };
    try {
      await client.update(R.pods, upd, { subresource: "status" });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) log(`scheduler: status of ${key}: ${(err as Error).message}`);
    }
  }

  let onStop: () => void = () => {};
  const stopSignal = new Promise<void>((r) => {
    onStop = r;
  });

  async function loop() {
    await Promise.race([Promise.all([podInf.synced, nodeInf.synced]), stopSignal]);
    while (!stopped) {
      const key = active.shift();
      if (key === undefined) {
        await new Promise<void>((r) => {
          wake = () => {
            wake = null;
            r();
          };
        });
        continue;
      }
      inActive.delete(key);
      while (inFlight.size >= MAX_BINDS_IN_FLIGHT && !stopped) {
        await new Promise<void>((r) => {
          slotFree = () => {
            slotFree = null;
            r();
          };
        });
      }
      try {
        scheduleOne(key);
      } catch (err) {
        log(`scheduler: ${key}: ${(err as Error).message}`);
        backoff(key);
      }
    }
  }

  nodeInf.start();
  podInf.start();
  const running = loop();
  return {
    async stop() {
      stopped = true;
      onStop();
      clearInterval(flush);
      for (const t of timers.values()) clearTimeout(t);
      podInf.stop();
      nodeInf.stop();
      wake?.();
      slotFree?.();
      await running;
      await Promise.all(inFlight);
      await recorder.flush();
    },
  };
}

function readyOf(n: Node): string | undefined {
  return n.status?.conditions?.find((c) => c.type === "Ready")?.status;
}
