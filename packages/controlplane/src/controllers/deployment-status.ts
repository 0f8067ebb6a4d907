import {
  type Deployment,
  maxUnavailable,
  type ReplicaSet,
  specReplicas,
  sumSpec,
  sumStatus,
} from "./deployment-util.ts";
import type { Condition } from "./podutil.ts";

// Deployment status and conditions as upstream's calculateStatus/syncRolloutStatus compute them.

export function setDeploymentCondition(conds: Condition[], c: Condition, now: string, touch = false): Condition[] {
  const cur = conds.find((x) => x.type === c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason && !touch) return conds;
  const next: Condition = {
    ...c,
    lastUpdateTime: now,
    lastTransitionTime: cur && cur.status === c.status ? (cur.lastTransitionTime ?? now) : now,
  };
  return [...conds.filter((x) => x.type !== c.type), next];
}

export function calculateStatus(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, now: string) {
  const available = sumStatus(allRSs, "availableReplicas");
  const total = sumSpec(allRSs);
  const replicas = d.spec.replicas ?? 1;
  const status: NonNullable<Deployment["status"]> = {
    observedGeneration: d.metadata.generation ?? 1,
    replicas: sumStatus(allRSs, "replicas"),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sumStatus(allRSs, "readyReplicas"),
    availableReplicas: available,
    unavailableReplicas: Math.max(total - available, 0),
    ...(d.status?.collisionCount !== undefined ? { collisionCount: d.status.collisionCount } : {}),
  };
  let conds = d.status?.conditions ?? [];
  if (available >= replicas - maxUnavailable(d)) {
    conds = setDeploymentCondition(
      conds,
      {
        type: "Available",
        status: "True",
        reason: "MinimumReplicasAvailable",
        message: "Deployment has minimum availability.",
      },
      now,
    );
  } else {
    conds = setDeploymentCondition(
      conds,
      {
        type: "Available",
        status: "False",
        reason: "MinimumReplicasUnavailable",
        message: "Deployment does not have minimum availability.",
      },
      now,
    );
  }
  status.conditions = conds;
  for (const k of [
    "replicas",
    "updatedReplicas",
    "readyReplicas",
    "availableReplicas",
    "unavailableReplicas",
  ] as const) {
    if (status[k] === 0) delete status[k];
  }
  return status;
}

export function isComplete(d: Deployment, st: NonNullable<Deployment["status"]>): boolean {
  const r = d.spec.replicas ?? 1;
  return (
    (st.updatedReplicas ?? 0) === r &&
    (st.replicas ?? 0) === r &&
    (st.availableReplicas ?? 0) === r &&
    (st.observedGeneration ?? 0) >= (d.metadata.generation ?? 1)
  );
}

function hasProgressed(old: Deployment["status"], st: NonNullable<Deployment["status"]>): boolean {
  const o = old ?? {};
  return (
    (st.updatedReplicas ?? 0) > (o.updatedReplicas ?? 0) ||
    (st.replicas ?? 0) < (o.replicas ?? 0) ||
    (st.readyReplicas ?? 0) > (o.readyReplicas ?? 0) ||
    (st.availableReplicas ?? 0) > (o.availableReplicas ?? 0)
  );
}

/** Sets the Progressing condition; returns ms until the progress deadline should be re-checked. */
export function syncProgressing(
  d: Deployment,
  st: NonNullable<Deployment["status"]>,
  newRS: ReplicaSet | undefined,
  oldRSs: ReplicaSet[],
  now: string,
): number | undefined {
  let conds = st.conditions ?? [];
  const deadline = d.spec.progressDeadlineSeconds ?? 600;
  const cur = conds.find((c) => c.type === "Progressing");
  if (d.spec.paused) {
    conds = setDeploymentCondition(
      conds,
      { type: "Progressing", status: "Unknown", reason: "DeploymentPaused", message: "Deployment is paused" },
      now,
    );
    st.conditions = conds;
    return undefined;
  }
  let recheck: number | undefined;
  const rsName = newRS?.metadata.name ?? "";
  const oldActive = oldRSs.some((r) => specReplicas(r) > 0);
  if (isComplete(d, st) && !oldActive && newRS) {
    conds = setDeploymentCondition(
      conds,
      {
        type: "Progressing",
        status: "True",
        reason: "NewReplicaSetAvailable",
        message: `ReplicaSet "${rsName}" has successfully progressed.`,
      },
      now,
    );
  } else if (cur?.reason === "DeploymentPaused") {
    conds = setDeploymentCondition(
      conds,
      { type: "Progressing", status: "Unknown", reason: "DeploymentResumed", message: "Deployment is resumed" },
      now,
    );
  } else if (newRS && hasProgressed(d.status, st)) {
    conds = setDeploymentCondition(
      conds,
      {
        type: "Progressing",
        status: "True",
        reason: "ReplicaSetUpdated",
        message: `ReplicaSet "${rsName}" is progressing.`,
      },
      now,
      true,
    );
    recheck = deadline * 1000;
  } else if (cur && cur.reason !== "NewReplicaSetAvailable" && cur.reason !== "ProgressDeadlineExceeded" && newRS) {
    const since = Date.parse(cur.lastUpdateTime ?? cur.lastTransitionTime ?? now);
    const left = since + deadline * 1000 - Date.parse(now);
    if (left <= 0) {
      conds = setDeploymentCondition(
        conds,
        {
          type: "Progressing",
          status: "False",
          reason: "ProgressDeadlineExceeded",
          message: `ReplicaSet "${rsName}" has timed out progressing.`,
        },
        now,
      );
    } else recheck = left + 100;
  }
  st.conditions = conds;
  return recheck;
}
