// Conversion between served versions of one stored resource: HorizontalPodAutoscaler is stored
// as autoscaling/v2 and also served as autoscaling/v1 (what `kubectl autoscale` before 1.33
// creates). Like upstream, v1 carries the CPU target in spec.targetCPUUtilizationPercentage and
// the v2 conditions in the `autoscaling.alpha.kubernetes.io/conditions` annotation.
import type { KubeObject } from "../client.ts";
import { findResource, type ResourceDef } from "./registry.ts";

type Json = any;
const CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions";

export interface Conversion {
  storageDef: ResourceDef;
  /** Served version → storage version. */
  in(obj: KubeObject): KubeObject;
  /** Storage version → served version. */
  out(obj: KubeObject): KubeObject;
}

function hpaV2ToV1(o: Json): Json {
  const spec = o.spec ?? {};
  const cpu = (spec.metrics ?? []).find(
    (m: Json) => m.type === "Resource" && m.resource?.name === "cpu" && m.resource?.target?.type === "Utilization",
  );
  const st = o.status;
  const curCpu = (st?.currentMetrics ?? []).find((m: Json) => m.type === "Resource" && m.resource?.name === "cpu");
  const annotations = { ...(o.metadata?.annotations ?? {}) };
  if (st?.conditions?.length) annotations[CONDITIONS] = JSON.stringify(st.conditions);
  const out: Json = {
    ...o,
    apiVersion: "autoscaling/v1",
    metadata: { ...o.metadata, ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: {
      scaleTargetRef: spec.scaleTargetRef,
      ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
      maxReplicas: spec.maxReplicas,
      ...(cpu ? { targetCPUUtilizationPercentage: cpu.resource.target.averageUtilization } : {}),
    },
  };
  if (st) {
    out.status = {
      ...(st.observedGeneration !== undefined ? { observedGeneration: st.observedGeneration } : {}),
      ...(st.lastScaleTime ? { lastScaleTime: st.lastScaleTime } : {}),
      currentReplicas: st.currentReplicas ?? 0,
      desiredReplicas: st.desiredReplicas ?? 0,
      ...(curCpu?.resource?.current?.averageUtilization !== undefined
        ? { currentCPUUtilizationPercentage: curCpu.resource.current.averageUtilization }
        : {}),
    };
  }
  return out;
}

function hpaV1ToV2(o: Json): Json {
  const spec = o.spec ?? {};
  const annotations = { ...(o.metadata?.annotations ?? {}) };
  let conditions: Json[] | undefined;
  if (annotations[CONDITIONS]) {
    try {
      conditions = JSON.parse(annotations[CONDITIONS]);
    } catch {}
    delete annotations[CONDITIONS];
  }
  const out: Json = {
    ...o,
    apiVersion: "autoscaling/v2",
    metadata: { ...(o.metadata ?? {}), annotations: Object.keys(annotations).length ? annotations : undefined },
    spec: {
      scaleTargetRef: spec.scaleTargetRef,
      ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
      maxReplicas: spec.maxReplicas,
      metrics: [
        {
          type: "Resource",
          resource: {
            name: "cpu",
            target: { type: "Utilization", averageUtilization: spec.targetCPUUtilizationPercentage ?? 80 },
          },
        },
      ],
    },
  };
  if (!out.metadata.annotations) delete out.metadata.annotations;
  if (o.status) {
    const st = o.status;
    out.status = {
      ...(st.observedGeneration !== undefined ? { observedGeneration: st.observedGeneration } : {}),
      ...(st.lastScaleTime ? { lastScaleTime: st.lastScaleTime } : {}),
      currentReplicas: st.currentReplicas ?? 0,
      desiredReplicas: st.desiredReplicas ?? 0,
      ...(st.currentCPUUtilizationPercentage !== undefined
        ? {
            currentMetrics: [
              {
                type: "Resource",
                resource: { name: "cpu", current: { averageUtilization: st.currentCPUUtilizationPercentage } },
              },
            ],
          }
        : {}),
      ...(conditions ? { conditions } : {}),
    };
  }
  return out;
}

/** The conversion for a served-but-not-stored version, or undefined when def is its own storage. */
export function conversionFor(def: ResourceDef): Conversion | undefined {
  if (def.group === "autoscaling" && def.version === "v1" && def.resource === "horizontalpodautoscalers") {
    const storageDef = findResource("autoscaling", "v2", "horizontalpodautoscalers");
    if (!storageDef) return undefined;
    return { storageDef, in: hpaV1ToV2, out: hpaV2ToV1 };
  }
  return undefined;
}
