import { Badge, cn, Spinner } from "@nuage/ui";
import { formatDateTime } from "~/lib/format";
import { formatDuration, OPERATION_TYPE } from "./format";
import type { OperationView, StepView } from "./types";

const STEP_LABEL: Record<string, string> = {
  ca: "Certificate authority",
  "certificate-authority": "Certificate authority",
  "control-plane": "Control plane",
  datastore: "Datastore",
  nodes: "Nodes joining",
  addons: "Add-ons",
  "add-ons": "Add-ons",
  ready: "Ready",
};

/** "node:web-1" → "Node web-1 joins"; known names get their words; the rest is shown with its dashes as spaces. */
export function stepLabel(name: string): string {
  if (STEP_LABEL[name]) return STEP_LABEL[name];
  const node = /^nodes?[:/](.+)$/.exec(name);
  if (node) return `Node ${node[1]} joins`;
  const s = name.replace(/[-_:]/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function StepIcon({ status }: { status: string }) {
  if (status === "running")
    return (
      <span className="flex h-6 w-6 items-center justify-center rounded-full bg-indigo-50 text-indigo-600">
        <Spinner size="sm" label="In progress" />
      </span>
    );
  if (status === "succeeded")
    return (
      <span
        className="flex h-6 w-6 items-center justify-center rounded-full bg-emerald-500 text-white"
        aria-hidden="true"
      >
        <svg viewBox="0 0 20 20" className="h-3.5 w-3.5" fill="currentColor" aria-hidden="true">
          <path d="M16.7 5.3a1 1 0 0 1 0 1.4l-8 8a1 1 0 0 1-1.4 0l-4-4a1 1 0 1 1 1.4-1.4L8 12.6l7.3-7.3a1 1 0 0 1 1.4 0z" />
        </svg>
      </span>
    );
  if (status === "failed")
    return (
      <span
        className="flex h-6 w-6 items-center justify-center rounded-full bg-red-600 text-xs font-bold text-white"
        aria-hidden="true"
      >
        !
      </span>
    );
  return <span className="block h-6 w-6 rounded-full border-2 border-slate-200 bg-white" aria-hidden="true" />;
}

const STATUS_WORD: Record<string, string> = {
  pending: "waiting",
  running: "in progress",
  succeeded: "done",
  failed: "failed",
  skipped: "skipped",
};

/** The ordered steps of one operation, as a vertical timeline. */
export function StepList({ steps }: { steps: StepView[] }) {
  if (steps.length === 0) return <p className="text-sm text-slate-500">Waiting for the first step…</p>;
  return (
    <ol className="space-y-0" aria-label="Steps">
      {steps.map((s, i) => (
        <li
          key={s.id ?? s.name}
          className="relative flex gap-3 pb-4 last:pb-0"
          data-testid="operation-step"
          data-step={s.name}
          data-status={s.status}
        >
          {i < steps.length - 1 ? (
            <span
              className={cn(
                "absolute top-6 left-3 -ml-px h-full w-0.5",
                s.status === "succeeded" ? "bg-emerald-300" : "bg-slate-200",
              )}
              aria-hidden="true"
            />
          ) : null}
          <div className="relative">
            <StepIcon status={s.status} />
          </div>
          <div className="min-w-0 flex-1 pt-0.5">
            <div className="flex items-baseline justify-between gap-3">
              <p className={cn("text-sm font-medium", s.status === "pending" ? "text-slate-400" : "text-slate-900")}>
                {s.title && s.title !== s.name ? s.title : stepLabel(s.name)}{" "}
                <span className="sr-only">— {STATUS_WORD[s.status] ?? s.status}</span>
              </p>
              <span className="shrink-0 text-xs text-slate-400 tabular-nums">
                {formatDuration(s.startedAt, s.finishedAt)}
              </span>
            </div>
            {s.detail ? (
              <p className={cn("mt-0.5 text-xs", s.status === "failed" ? "text-red-700" : "text-slate-500")}>
                {s.detail}
              </p>
            ) : null}
          </div>
        </li>
      ))}
    </ol>
  );
}

const OP_TONE = { pending: "gray", running: "blue", succeeded: "green", failed: "red" } as const;

export function OperationBadge({ status }: { status: string }) {
  return <Badge tone={OP_TONE[status as keyof typeof OP_TONE] ?? "gray"}>{status}</Badge>;
}

export function OperationTitle({ op }: { op: OperationView }) {
  return (
    <div className="flex flex-wrap items-center gap-2">
      <span className="font-medium text-slate-900">{OPERATION_TYPE[op.type] ?? op.type}</span>
      <OperationBadge status={op.status} />
      <span className="text-xs text-slate-500">{formatDateTime(op.createdAt)}</span>
    </div>
  );
}

const REPORT_LABEL: Record<string, string> = {
  vms: "VMs removed",
  volumes: "Volumes removed",
  loadBalancers: "Load balancers removed",
  controlPlanes: "Control planes removed",
};

/** A delete operation's cleanup report: counts per resource kind. */
export function CleanupReport({ report }: { report: unknown }) {
  if (!report || typeof report !== "object") return null;
  const entries = Object.entries(report as Record<string, unknown>).filter(
    ([, v]) => typeof v === "number" || typeof v === "string",
  );
  if (entries.length === 0) return null;
  return (
    <div className="mt-3 rounded-md bg-slate-50 p-3" data-testid="cleanup-report">
      <p className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Cleanup report</p>
      <dl className="mt-2 grid max-w-2xl grid-cols-1 gap-x-8 gap-y-1 text-sm sm:grid-cols-2">
        {entries.map(([k, v]) => (
          <div key={k} className="flex justify-between gap-2">
            <dt className="text-slate-600">{REPORT_LABEL[k] ?? k.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()}</dt>
            <dd className="font-medium text-slate-900 tabular-nums">{String(v)}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
