import { Badge } from "@nuage/ui";
import { CLUSTER_STATUS, isBusy } from "./format";

export function StatusBadge({ status }: { status: string }) {
  const s = CLUSTER_STATUS[status] ?? { label: status, tone: "gray" as const };
  return (
    <span data-testid="cluster-status" data-status={status} className="inline-flex items-center gap-1.5">
      <Badge tone={s.tone}>
        {isBusy(status) ? (
          <span className="mr-1.5 inline-block h-1.5 w-1.5 animate-pulse rounded-full bg-current" aria-hidden="true" />
        ) : null}
        {s.label}
      </Badge>
    </span>
  );
}
