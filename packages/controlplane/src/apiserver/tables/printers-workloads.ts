// Table columns for DaemonSets, StatefulSets, Jobs, CronJobs, PDBs, HPAs and ControllerRevisions
// (upstream's pkg/printers/internalversion).
import { AGE, a, col, NAME, n, type Printer } from "./columns.ts";
import { containersAndImages, humanDuration, labelSelectorString, none } from "./format.ts";

type Json = any;

const wide = (spec: Json, sel: Json) => {
  const [c, i] = containersAndImages(spec);
  return [c, i, labelSelectorString(sel)];
};
const WIDE = [col("Containers", 1), col("Images", 1), col("Selector", 1)];

function jobStatus(o: Json): string {
  const conds: Json[] = o.status?.conditions ?? [];
  const has = (t: string) => conds.some((c) => c.type === t && c.status === "True");
  if (has("Complete")) return "Complete";
  if (has("Failed")) return "Failed";
  if (o.spec?.suspend) return "Suspended";
  if (has("FailureTarget")) return "FailureTarget";
  if (has("SuccessCriteriaMet")) return "SuccessCriteriaMet";
  return "Running";
}

function jobCompletions(o: Json): string {
  const succeeded = o.status?.succeeded ?? 0;
  if (o.spec?.completions != null) return `${succeeded}/${o.spec.completions}`;
  const p = o.spec?.parallelism ?? 0;
  return p > 1 ? `${succeeded}/1 of ${p}` : `${succeeded}/1`;
}

function jobDuration(o: Json): string {
  const start = o.status?.startTime;
  if (!start) return "";
  const end = o.status?.completionTime ? Date.parse(o.status.completionTime) : Date.now();
  return humanDuration(end - Date.parse(start));
}

/** `cpu: 45%/50%`, like kubectl 1.30+; several metrics joined, `<unknown>` before the first reading. */
export function hpaTargets(o: Json): string {
  const specs: Json[] = o.spec?.metrics ?? [];
  const statuses: Json[] = o.status?.currentMetrics ?? [];
  if (o.apiVersion === "autoscaling/v1" || (!specs.length && o.spec?.targetCPUUtilizationPercentage !== undefined)) {
    const cur = o.status?.currentCPUUtilizationPercentage;
    return `cpu: ${cur === undefined ? "<unknown>" : `${cur}%`}/${o.spec?.targetCPUUtilizationPercentage ?? 80}%`;
  }
  const parts: string[] = [];
  specs.forEach((m, i) => {
    if (m.type === "Resource" || m.type === "ContainerResource") {
      const src = m.type === "Resource" ? m.resource : m.containerResource;
      const st =
        statuses.find((s) => s.type === m.type && (s.resource ?? s.containerResource)?.name === src?.name) ??
        statuses[i];
      const cur = (st?.resource ?? st?.containerResource)?.current;
      const t = src?.target ?? {};
      if (t.type === "Utilization") {
        const c = cur?.averageUtilization;
        parts.push(`${src.name}: ${c === undefined ? "<unknown>" : `${c}%`}/${t.averageUtilization}%`);
      } else {
        const c = cur?.averageValue;
        parts.push(`${src.name}: ${c ?? "<unknown>"}/${t.averageValue ?? t.value}`);
      }
    } else {
      const src = m.pods ?? m.object ?? m.external ?? {};
      const t = src.target ?? {};
      parts.push(`<unknown>/${t.averageValue ?? t.value ?? "<unset>"}`);
    }
  });
  if (!parts.length) return "<none>";
  const max = 2;
  return parts.length > max ? `${parts.slice(0, max).join(", ")} + ${parts.length - max} more...` : parts.join(", ");
}

function pdbValue(v: unknown): string {
  return v === undefined || v === null ? "N/A" : String(v);
}

export const WORKLOAD_PRINTERS: Record<string, Printer> = {
  "apps/daemonsets": {
    columns: [
      NAME,
      col("Desired", 0, "integer"),
      col("Current", 0, "integer"),
      col("Ready", 0, "integer"),
      col("Up-to-date", 0, "integer"),
      col("Available", 0, "integer"),
      col("Node Selector"),
      AGE,
      ...WIDE,
    ],
    row: (o) => {
      const ns = o.spec?.template?.spec?.nodeSelector ?? {};
      const sel = Object.entries(ns)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      return [
        n(o),
        o.status?.desiredNumberScheduled ?? 0,
        o.status?.currentNumberScheduled ?? 0,
        o.status?.numberReady ?? 0,
        o.status?.updatedNumberScheduled ?? 0,
        o.status?.numberAvailable ?? 0,
        sel || "<none>",
        a(o),
        ...wide(o.spec?.template?.spec, o.spec?.selector),
      ];
    },
  },
  "apps/statefulsets": {
    columns: [NAME, col("Ready"), AGE, col("Containers", 1), col("Images", 1)],
    row: (o) => {
      const [c, i] = containersAndImages(o.spec?.template?.spec);
      return [n(o), `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, a(o), c, i];
    },
  },
  "apps/controllerrevisions": {
    columns: [NAME, col("Controller"), col("Revision", 0, "integer"), AGE],
    row: (o) => {
      const ref = (o.metadata?.ownerReferences ?? []).find((r: Json) => r.controller);
      const ctrl = ref ? `${ref.kind.toLowerCase()}.${ref.apiVersion.split("/")[0]}/${ref.name}` : "<none>";
      return [n(o), ctrl, o.revision ?? 0, a(o)];
    },
  },
  "batch/jobs": {
    columns: [NAME, col("Status"), col("Completions"), col("Duration"), AGE, ...WIDE],
    row: (o) => [
      n(o),
      jobStatus(o),
      jobCompletions(o),
      jobDuration(o),
      a(o),
      ...wide(o.spec?.template?.spec, o.spec?.selector),
    ],
  },
  "batch/cronjobs": {
    columns: [
      NAME,
      col("Schedule"),
      col("Timezone"),
      col("Suspend"),
      col("Active", 0, "integer"),
      col("Last Schedule"),
      AGE,
      ...WIDE,
    ],
    row: (o) => {
      const last = o.status?.lastScheduleTime;
      return [
        n(o),
        o.spec?.schedule ?? "",
        none(o.spec?.timeZone),
        o.spec?.suspend ? "True" : "False",
        (o.status?.active ?? []).length,
        last ? humanDuration(Date.now() - Date.parse(last)) : "<none>",
        a(o),
        ...wide(o.spec?.jobTemplate?.spec?.template?.spec, o.spec?.jobTemplate?.spec?.selector),
      ];
    },
  },
  "policy/poddisruptionbudgets": {
    columns: [NAME, col("Min Available"), col("Max Unavailable"), col("Allowed Disruptions", 0, "integer"), AGE],
    row: (o) => [
      n(o),
      pdbValue(o.spec?.minAvailable),
      pdbValue(o.spec?.maxUnavailable),
      o.status?.disruptionsAllowed ?? 0,
      a(o),
    ],
  },
  "autoscaling/horizontalpodautoscalers": {
    columns: [
      NAME,
      col("Reference"),
      col("Targets"),
      col("MinPods", 0, "integer"),
      col("MaxPods", 0, "integer"),
      col("Replicas", 0, "integer"),
      AGE,
    ],
    row: (o) => {
      const ref = o.spec?.scaleTargetRef ?? {};
      return [
        n(o),
        `${ref.kind}/${ref.name}`,
        hpaTargets(o),
        o.spec?.minReplicas ?? 1,
        o.spec?.maxReplicas ?? 0,
        o.status?.currentReplicas ?? 0,
        a(o),
      ];
    },
  },
};
