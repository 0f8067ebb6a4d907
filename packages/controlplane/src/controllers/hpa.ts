import { parseQuantity } from "../apiserver/quantity.ts";
import type { KubeObject, ResourceRef } from "../client.ts";
import type { ControllerContext, RunningController } from "./context.ts";
import type { PodMetricsItem } from "./options.ts";
import { type Condition, getCondition, type Pod, selectorMatches, selectorToString } from "./podutil.ts";
import { isNotFound, nowIso, objKey, R, splitKey } from "./refs.ts";
import { upsertCondition, writeStatus } from "./workload-util.ts";
import { WorkQueue } from "./workqueue.ts";

// HorizontalPodAutoscaler controller (autoscaling/v2), after upstream's pkg/controller/podautoscaler:
// every sync period, for each Resource metric (cpu, memory; Utilization or AverageValue) the
// replica count from the metrics API with upstream's ReplicaCalculator (usage ratio, tolerance 0.1,
// unready pods ignored for CPU while starting, missing metrics counted as 100 % when scaling down
// and 0 % when scaling up), the largest wins; then behavior (stabilisation windows: recommendations
// of the window, scale-down default 300 s; rate policies Pods/Percent per period, selectPolicy),
// min/max, conditions AbleToScale/ScalingActive/ScalingLimited, SuccessfulRescale events.

type Json = any;
export type Hpa = KubeObject & { spec?: Json; status?: Json };

const TARGETS: Record<string, ResourceRef> = {
  Deployment: R.deployments,
  ReplicaSet: R.replicasets,
  StatefulSet: R.statefulsets,
  ReplicationController: R.replicationcontrollers,
};

const METRIC_WINDOW_MS = 10_000;

interface Rec {
  t: number;
  replicas: number;
}

export interface ReplicaCalcInput {
  currentReplicas: number;
  /** Per pod: usage (base units), request (base units, undefined when a container lacks one), ready/ignored. */
  pods: { name: string; usage?: number; request?: number; ignored: boolean }[];
  target: { type: "Utilization"; averageUtilization: number } | { type: "AverageValue"; averageValue: number };
  tolerance: number;
}

/** Upstream's GetResourceReplicas / GetRawMetricReplicas arithmetic. */
export function calcReplicas(i: ReplicaCalcInput): { replicas: number; utilization?: number; averageValue: number } {
  const withMetrics = i.pods.filter((p) => p.usage !== undefined && !p.ignored);
  const missing = i.pods.filter((p) => p.usage === undefined && !p.ignored);
  const ignored = i.pods.filter((p) => p.ignored && p.usage !== undefined);
  const util = i.target.type === "Utilization";
  const ratioOf = (ps: { usage?: number; request?: number }[]) => {
    const usage = ps.reduce((s, p) => s + (p.usage ?? 0), 0);
    if (util) {
      const req = ps.reduce((s, p) => s + (p.request ?? 0), 0);
      const u = req > 0 ? (usage * 100) / req : 0;
      return {
        ratio: u / (i.target as { averageUtilization: number }).averageUtilization,
        u,
        avg: usage / Math.max(1, ps.length),
      };
    }
    const avg = usage / Math.max(1, ps.length);
    return { ratio: avg / (i.target as { averageValue: number }).averageValue, u: undefined, avg };
  };
  if (!withMetrics.length) return { replicas: i.currentReplicas, averageValue: 0 };
  const first = ratioOf(withMetrics);
  const utilization = first.u === undefined ? undefined : Math.floor(first.u);
  const rebalanceIgnored = ignored.length > 0 && first.ratio > 1;
  if (!rebalanceIgnored && missing.length === 0) {
    if (Math.abs(1 - first.ratio) <= i.tolerance)
      return { replicas: i.currentReplicas, utilization, averageValue: first.avg };
    return { replicas: Math.ceil(first.ratio * withMetrics.length), utilization, averageValue: first.avg };
  }
  const filled = [...withMetrics];
  for (const p of missing) {
    const full = util ? (p.request ?? 0) : (i.target as { averageValue: number }).averageValue;
    filled.push({ ...p, usage: first.ratio < 1 ? full : 0 });
  }
  if (rebalanceIgnored) for (const p of ignored) filled.push({ ...p, usage: 0 });
  const second = ratioOf(filled);
  if (
    Math.abs(1 - second.ratio) <= i.tolerance ||
    (first.ratio < 1 && second.ratio > 1) ||
    (first.ratio > 1 && second.ratio < 1)
  ) {
    return { replicas: i.currentReplicas, utilization, averageValue: first.avg };
  }
  const desired = Math.ceil(second.ratio * filled.length);
  if ((second.ratio < 1 && desired > i.currentReplicas) || (second.ratio > 1 && desired < i.currentReplicas)) {
    return { replicas: i.currentReplicas, utilization, averageValue: first.avg };
  }
  return { replicas: desired, utilization, averageValue: first.avg };
}

function defaultBehavior(b: Json, downWindow: number): Json {
  const up = b?.scaleUp ?? {};
  const down = b?.scaleDown ?? {};
  return {
    scaleUp: {
      stabilizationWindowSeconds: up.stabilizationWindowSeconds ?? 0,
      selectPolicy: up.selectPolicy ?? "Max",
      policies: up.policies ?? [
        { type: "Pods", value: 4, periodSeconds: 15 },
        { type: "Percent", value: 100, periodSeconds: 15 },
      ],
    },
    scaleDown: {
      stabilizationWindowSeconds: down.stabilizationWindowSeconds ?? downWindow,
      selectPolicy: down.selectPolicy ?? "Max",
      policies: down.policies ?? [{ type: "Percent", value: 100, periodSeconds: 15 }],
    },
  };
}

export function startHpaController(ctx: ControllerContext): RunningController {
  const hpaInf = ctx.informers.for<Hpa>(R.horizontalpodautoscalers);
  const podInf = ctx.informers.for<Pod>(R.pods);
  const recorder = ctx.recorder("horizontal-pod-autoscaler");
  const period = (ctx.opts.hpaSyncPeriodSeconds ?? 15) * 1000;
  const tolerance = ctx.opts.hpaTolerance ?? 0.1;
  const downWindow = ctx.opts.hpaDownscaleStabilizationSeconds ?? 300;
  const cpuInit = (ctx.opts.hpaCpuInitializationPeriodSeconds ?? 300) * 1000;
  const readinessDelay = 30_000;
  const recs = new Map<string, Rec[]>();
  const events = new Map<string, { up: Rec[]; down: Rec[] }>();
  const queue = new WorkQueue(sync, { name: "horizontal-pod-autoscaler", workers: 2, log: ctx.log });

  hpaInf.addHandler({
    add: (h) => queue.add(objKey(h)),
    update: (o, n) => {
      if (JSON.stringify(o.spec) !== JSON.stringify(n.spec)) queue.add(objKey(n));
    },
    delete: (h) => {
      recs.delete(objKey(h));
      events.delete(objKey(h));
    },
  });

  /** Upstream's groupPods for CPU: unready pods, and samples taken too soon after a readiness change while starting. */
  function podIgnoredForCpu(p: Pod, now: number): boolean {
    if (p.metadata.deletionTimestamp || p.status?.phase === "Failed" || p.status?.phase === "Succeeded") return true;
    const ready = getCondition(p, "Ready");
    const startStr = (p.status as Json)?.startTime;
    if (!ready || !startStr) return true;
    const start = Date.parse(startStr);
    const changed = Date.parse(ready.lastTransitionTime ?? "") || 0;
    if (start + cpuInit > now) return ready.status === "False" || now < changed + METRIC_WINDOW_MS;
    return ready.status === "False" && start + readinessDelay > changed;
  }

  async function sync(key: string): Promise<void> {
    const { namespace } = splitKey(key);
    const ns = namespace ?? "default";
    const hpa = hpaInf.get(key);
    if (!hpa || hpa.metadata.deletionTimestamp) return;
    queue.addAfter(key, period);
    const spec = hpa.spec ?? {};
    const now = Date.now();
    const status: Json = { ...(hpa.status ?? {}) };
    let conds: Condition[] = status.conditions ?? [];
    const ref = spec.scaleTargetRef ?? {};
    const targetRef = TARGETS[ref.kind];
    const fail = async (type: string, reason: string, message: string, warn = true) => {
      conds = upsertCondition(conds, { type, status: "False", reason, message });
      if (type === "AbleToScale") {
        conds = upsertCondition(conds, { type: "ScalingActive", status: "False", reason, message });
      }
      if (warn) recorder.warning(hpa, reason, message);
      status.conditions = conds;
      await writeStatus(ctx, R.horizontalpodautoscalers, hpa, status);
    };
    if (!targetRef)
      return fail(
        "AbleToScale",
        "FailedGetScale",
        `the HPA controller was unable to get the target's current scale: no matches for kind "${ref.kind}" in group "${(ref.apiVersion ?? "").split("/")[0]}"`,
      );
    let target: Json;
    try {
      target = await ctx.client.get(targetRef, ns, ref.name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return fail(
        "AbleToScale",
        "FailedGetScale",
        `the HPA controller was unable to get the target's current scale: ${(err as Error).message}`,
      );
    }
    const current: number = target.spec?.replicas ?? 1;
    status.currentReplicas = target.status?.replicas ?? current;
    status.observedGeneration = hpa.metadata.generation ?? 1;
    conds = upsertCondition(conds, {
      type: "AbleToScale",
      status: "True",
      reason: "SucceededGetScale",
      message: "the HPA controller was able to get the target's current scale",
    });
    const minR = spec.minReplicas ?? 1;
    const maxR = spec.maxReplicas ?? 1;
    if (current === 0 && minR !== 0) {
      conds = upsertCondition(conds, {
        type: "ScalingActive",
        status: "False",
        reason: "ScalingDisabled",
        message: "scaling is disabled since the replica count of the target is zero",
      });
      status.desiredReplicas = 0;
      status.conditions = conds;
      return writeStatus(ctx, R.horizontalpodautoscalers, hpa, status);
    }

    // Metrics.
    const rawSel = target.spec?.selector ?? {};
    const selector = ref.kind === "ReplicationController" ? { matchLabels: rawSel } : rawSel;
    const pods = podInf
      .list(ns)
      .filter(
        (p) =>
          selectorMatches(selector, p.metadata.labels) &&
          p.status?.phase !== "Failed" &&
          p.status?.phase !== "Succeeded",
      );
    const sel = selectorToString(selector);
    let metrics: PodMetricsItem[] = [];
    try {
      metrics = ctx.opts.podMetrics ? await ctx.opts.podMetrics(ns, sel) : [];
    } catch {
      metrics = [];
    }
    const byName = new Map(metrics.map((m) => [m.metadata.name, m]));
    let desired = 0;
    let reason = "";
    const currentMetrics: Json[] = [];
    let metricError: [string, string] | undefined;
    for (const m of spec.metrics ?? []) {
      if (m.type !== "Resource" && m.type !== "ContainerResource") continue;
      const src = m.type === "Resource" ? m.resource : m.containerResource;
      const res: string = src?.name;
      const t = src?.target ?? {};
      const inputs: ReplicaCalcInput["pods"] = [];
      let missingRequest: string | undefined;
      for (const p of pods) {
        const containers: Json[] = (p.spec?.containers ?? []).filter(
          (c: Json) => m.type === "Resource" || c.name === src.container,
        );
        let request = 0;
        for (const c of containers) {
          const r = c.resources?.requests?.[res];
          if (r === undefined)
            missingRequest ??= `missing request for ${res} in container ${c.name} of Pod ${p.metadata.name}`;
          else request += parseQuantity(r) ?? 0;
        }
        const pm = byName.get(p.metadata.name);
        let usage: number | undefined;
        if (pm) {
          usage = 0;
          for (const c of pm.containers) {
            if (m.type === "ContainerResource" && c.name !== src.container) continue;
            usage += parseQuantity(c.usage[res as "cpu" | "memory"] ?? "0") ?? 0;
          }
        }
        inputs.push({
          name: p.metadata.name!,
          usage,
          request,
          ignored: res === "cpu" ? podIgnoredForCpu(p, now) : !!p.metadata.deletionTimestamp,
        });
      }
      if (t.type === "Utilization" && missingRequest) {
        metricError = ["FailedGetResourceMetric", `failed to get ${res} utilization: ${missingRequest}`];
        continue;
      }
      if (inputs.some((x) => x.usage !== undefined) && !inputs.some((x) => x.usage !== undefined && !x.ignored)) {
        metricError = [
          "FailedGetResourceMetric",
          `failed to get ${res} utilization: did not receive metrics for targeted pods (pods might be unready)`,
        ];
        continue;
      }
      if (!inputs.some((x) => x.usage !== undefined)) {
        metricError = [
          "FailedGetResourceMetric",
          `failed to get ${res} utilization: unable to get metrics for resource ${res}: no metrics returned from resource metrics API`,
        ];
        continue;
      }
      const r = calcReplicas({
        currentReplicas: current,
        pods: inputs,
        target:
          t.type === "Utilization"
            ? { type: "Utilization", averageUtilization: t.averageUtilization ?? 80 }
            : { type: "AverageValue", averageValue: parseQuantity(t.averageValue ?? "0") ?? 0 },
        tolerance,
      });
      const avgValue = res === "cpu" ? `${Math.round(r.averageValue * 1000)}m` : `${Math.round(r.averageValue)}`;
      currentMetrics.push({
        type: m.type,
        [m.type === "Resource" ? "resource" : "containerResource"]: {
          name: res,
          ...(m.type === "ContainerResource" ? { container: src.container } : {}),
          current: {
            ...(r.utilization !== undefined ? { averageUtilization: r.utilization } : {}),
            averageValue: avgValue,
          },
        },
      });
      if (r.replicas > desired || !reason) {
        desired = Math.max(desired, r.replicas);
        reason = `${res} resource${t.type === "Utilization" ? " utilization (percentage of request)" : ""}`;
      }
    }
    if (!currentMetrics.length) {
      status.currentMetrics = undefined;
      delete status.currentMetrics;
      status.desiredReplicas = current;
      conds = upsertCondition(conds, {
        type: "ScalingActive",
        status: "False",
        reason: metricError?.[0] ?? "FailedGetResourceMetric",
        message: `the HPA was unable to compute the replica count: ${metricError?.[1] ?? "no metrics"}`,
      });
      if (metricError) recorder.warning(hpa, metricError[0], metricError[1]);
      status.conditions = conds;
      return writeStatus(ctx, R.horizontalpodautoscalers, hpa, status);
    }
    status.currentMetrics = currentMetrics;
    conds = upsertCondition(conds, {
      type: "ScalingActive",
      status: "True",
      reason: "ValidMetricFound",
      message: `the HPA was able to successfully calculate a replica count from ${reason}`,
    });

    // Behavior: stabilisation windows, then rate policies, then min/max.
    const b = defaultBehavior(spec.behavior, downWindow);
    const history = (recs.get(key) ?? []).filter(
      (x) => x.t > now - Math.max(b.scaleUp.stabilizationWindowSeconds, b.scaleDown.stabilizationWindowSeconds) * 1000,
    );
    history.push({ t: now, replicas: desired });
    recs.set(key, history);
    const upWin = history.filter((x) => x.t > now - b.scaleUp.stabilizationWindowSeconds * 1000 || x.t === now);
    const downWin = history.filter((x) => x.t > now - b.scaleDown.stabilizationWindowSeconds * 1000 || x.t === now);
    const upRec = Math.min(...upWin.map((x) => x.replicas));
    const downRec = Math.max(...downWin.map((x) => x.replicas));
    let stabilized = current;
    if (current < upRec) stabilized = upRec;
    if (current > downRec) stabilized = downRec;
    const ev = events.get(key) ?? { up: [], down: [] };
    events.set(key, ev);
    let limited = stabilized;
    let limitReason: [string, string] | undefined;
    if (stabilized > current) {
      const rules = b.scaleUp;
      let limit = rules.selectPolicy === "Min" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
      if (rules.selectPolicy === "Disabled") limit = current;
      else
        for (const p of rules.policies) {
          const added = ev.up.filter((e) => e.t > now - p.periodSeconds * 1000).reduce((s, e) => s + e.replicas, 0);
          const periodStart = current - added;
          const l = p.type === "Pods" ? periodStart + p.value : Math.ceil(periodStart * (1 + p.value / 100));
          limit = rules.selectPolicy === "Min" ? Math.min(limit, l) : Math.max(limit, l);
        }
      if (limited > limit) {
        limited = limit;
        limitReason = ["ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"];
      }
    } else if (stabilized < current) {
      const rules = b.scaleDown;
      let limit = rules.selectPolicy === "Min" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
      if (rules.selectPolicy === "Disabled") limit = current;
      else
        for (const p of rules.policies) {
          const removed = ev.down.filter((e) => e.t > now - p.periodSeconds * 1000).reduce((s, e) => s + e.replicas, 0);
          const periodStart = current + removed;
          const l = p.type === "Pods" ? periodStart - p.value : Math.floor(periodStart * (1 - p.value / 100));
          limit = rules.selectPolicy === "Min" ? Math.max(limit, l) : Math.min(limit, l);
        }
      if (limited < limit) {
        limited = limit;
        limitReason = ["ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate"];
      }
    }
    if (limited > maxR) {
      limited = maxR;
      limitReason = ["TooManyReplicas", "the desired replica count is more than the maximum replica count"];
    } else if (limited < minR) {
      limited = minR;
      limitReason = ["TooFewReplicas", "the desired replica count is less than the minimum replica count"];
    }
    conds = upsertCondition(
      conds,
      limitReason
        ? { type: "ScalingLimited", status: "True", reason: limitReason[0], message: limitReason[1] }
        : {
            type: "ScalingLimited",
            status: "False",
            reason: "DesiredWithinRange",
            message: "the desired count is within the acceptable range",
          },
    );
    status.desiredReplicas = limited;
    if (limited !== current) {
      try {
        await ctx.client.patch(targetRef, ns, ref.name, "merge", { spec: { replicas: limited } });
      } catch (err) {
        return fail(
          "AbleToScale",
          "FailedUpdateScale",
          `the HPA controller was unable to update the target scale: ${(err as Error).message}`,
        );
      }
      (limited > current ? ev.up : ev.down).push({ t: now, replicas: Math.abs(limited - current) });
      const why = limited > current ? `${reason} above target` : "All metrics below target";
      recorder.normal(hpa, "SuccessfulRescale", `New size: ${limited}; reason: ${why}`);
      conds = upsertCondition(conds, {
        type: "AbleToScale",
        status: "True",
        reason: "SucceededRescale",
        message: `the HPA controller was able to update the target scale to ${limited}`,
      });
      status.lastScaleTime = nowIso();
    } else {
      conds = upsertCondition(conds, {
        type: "AbleToScale",
        status: "True",
        reason: "ReadyForNewScale",
        message: "recommended size matches current size",
      });
    }
    for (const e of [ev.up, ev.down]) {
      const keep = e.filter((x) => x.t > now - 600_000);
      e.length = 0;
      e.push(...keep);
    }
    status.conditions = conds;
    await writeStatus(ctx, R.horizontalpodautoscalers, hpa, status);
  }

  return { run: () => queue.start(), stop: () => queue.stop() };
}
