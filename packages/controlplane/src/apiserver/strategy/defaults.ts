// Defaulting as upstream's SetDefaults_* functions and strategies' PrepareForCreate/Update do.

import type { KubeObject } from "../../client.ts";
import { defaultCrd } from "../crd/strategy.ts";
import { parseQuantity } from "../quantity.ts";
import type { ResourceDef } from "../registry.ts";

type Json = any;

function defaultContainer(c: Json): void {
  const image: string = c.image ?? "";
  const lastSeg = image.split("/").pop() ?? "";
  const tag = image.includes("@") ? "digest" : lastSeg.includes(":") ? lastSeg.split(":").pop() : "latest";
  c.imagePullPolicy ??= tag === "latest" ? "Always" : "IfNotPresent";
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  c.resources ??= {};
  const r = c.resources;
  if (r.limits && !r.requests) r.requests = { ...r.limits };
  else if (r.limits && r.requests) for (const [k, v] of Object.entries(r.limits)) r.requests[k] ??= v;
  for (const p of c.ports ?? []) p.protocol ??= "TCP";
  for (const e of c.env ?? []) {
    if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ??= "v1";
  }
}

export function defaultPodSpec(spec: Json): void {
  if (!spec || typeof spec !== "object") return;
  spec.restartPolicy ??= "Always";
  spec.dnsPolicy ??= "ClusterFirst";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= "default-scheduler";
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) {
    if (v.secret) v.secret.defaultMode ??= 420;
    if (v.configMap) v.configMap.defaultMode ??= 420;
    if (v.emptyDir === null) v.emptyDir = {};
  }
}

function qosClass(spec: Json): string {
  const cs: Json[] = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of cs) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ["cpu", "memory"]) {
      if (lim[r] === undefined || parseQuantity(lim[r]) !== parseQuantity(req[r] ?? lim[r])) guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

/** DaemonSet, StatefulSet, Job, CronJob, PDB and HPA defaults (upstream SetDefaults_*). */
function defaultWorkload(key: string, o: Json): void {
  o.spec ??= {};
  const s = o.spec;
  switch (key) {
    case "apps/daemonsets":
      s.updateStrategy ??= { type: "RollingUpdate" };
      if ((s.updateStrategy.type ?? "RollingUpdate") === "RollingUpdate") {
        s.updateStrategy.type = "RollingUpdate";
        s.updateStrategy.rollingUpdate ??= {};
        s.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
        s.updateStrategy.rollingUpdate.maxSurge ??= 0;
      }
      s.revisionHistoryLimit ??= 10;
      defaultTemplate(o);
      break;
    case "apps/statefulsets":
      s.replicas ??= 1;
      s.podManagementPolicy ??= "OrderedReady";
      s.updateStrategy ??= { type: "RollingUpdate" };
      if ((s.updateStrategy.type ?? "RollingUpdate") === "RollingUpdate") {
        s.updateStrategy.type = "RollingUpdate";
        s.updateStrategy.rollingUpdate ??= {};
        s.updateStrategy.rollingUpdate.partition ??= 0;
      }
      s.revisionHistoryLimit ??= 10;
      s.persistentVolumeClaimRetentionPolicy ??= {};
      s.persistentVolumeClaimRetentionPolicy.whenDeleted ??= "Retain";
      s.persistentVolumeClaimRetentionPolicy.whenScaled ??= "Retain";
      for (const t of s.volumeClaimTemplates ?? []) {
        t.apiVersion ??= "v1";
        t.kind ??= "PersistentVolumeClaim";
        t.spec ??= {};
        t.spec.volumeMode ??= "Filesystem";
        t.status ??= { phase: "Pending" };
      }
      defaultTemplate(o);
      break;
    case "batch/jobs":
      defaultJobSpec(s, o.metadata);
      break;
    case "batch/cronjobs":
      s.concurrencyPolicy ??= "Allow";
      s.suspend ??= false;
      s.successfulJobsHistoryLimit ??= 3;
      s.failedJobsHistoryLimit ??= 1;
      s.jobTemplate ??= {};
      s.jobTemplate.spec ??= {};
      defaultJobSpec(s.jobTemplate.spec, undefined);
      break;
    case "autoscaling/horizontalpodautoscalers":
      s.minReplicas ??= 1;
      if (!s.metrics?.length) {
        s.metrics = [
          { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } },
        ];
      }
      if (s.behavior) {
        const b = s.behavior;
        if (b.scaleUp) {
          b.scaleUp.stabilizationWindowSeconds ??= 0;
          b.scaleUp.selectPolicy ??= "Max";
          b.scaleUp.policies ??= [
            { type: "Pods", value: 4, periodSeconds: 15 },
            { type: "Percent", value: 100, periodSeconds: 15 },
          ];
        } else b.scaleUp = defaultScaleUp();
        if (b.scaleDown) {
          b.scaleDown.selectPolicy ??= "Max";
          b.scaleDown.policies ??= [{ type: "Percent", value: 100, periodSeconds: 15 }];
        } else b.scaleDown = { selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] };
      }
      break;
  }
}

function defaultScaleUp(): Json {
  return {
    stabilizationWindowSeconds: 0,
    selectPolicy: "Max",
    policies: [
      { type: "Pods", value: 4, periodSeconds: 15 },
      { type: "Percent", value: 100, periodSeconds: 15 },
    ],
  };
}

/** Job spec defaults; on a new Job (meta given, with its uid) also the generated selector and labels. */
function defaultJobSpec(s: Json, meta: Json): void {
  if (s.completions === undefined && s.parallelism === undefined) {
    s.completions = 1;
    s.parallelism = 1;
  }
  s.parallelism ??= 1;
  s.backoffLimit ??= s.backoffLimitPerIndex !== undefined ? 2147483647 : 6;
  s.completionMode ??= "NonIndexed";
  s.suspend ??= false;
  s.podReplacementPolicy ??= "TerminatingOrFailed";
  s.template ??= {};
  s.template.metadata ??= {};
  defaultPodSpec(s.template.spec);
  if (meta?.uid && !s.manualSelector && !s.selector) {
    const uid = meta.uid;
    s.selector = { matchLabels: { "batch.kubernetes.io/controller-uid": uid } };
    s.template.metadata.labels = {
      ...(s.template.metadata.labels ?? {}),
      "batch.kubernetes.io/controller-uid": uid,
      "batch.kubernetes.io/job-name": meta.name,
      "controller-uid": uid,
      "job-name": meta.name,
    };
  }
}

function defaultTemplate(obj: Json): void {
  const spec = obj.spec;
  if (!spec) return;
  spec.template ??= {};
  spec.template.metadata ??= {};
  defaultPodSpec(spec.template.spec);
}

export function applyDefaults(def: ResourceDef, obj: KubeObject): void {
  const o = obj as Json;
  const key = `${def.group}/${def.resource}`;
  if (key === "apiextensions.k8s.io/customresourcedefinitions") defaultCrd(o, false);
  switch (key) {
    case "/pods":
      o.spec ??= {};
      defaultPodSpec(o.spec);
      o.spec.priority ??= 0;
      o.spec.preemptionPolicy ??= "PreemptLowerPriority";
      o.spec.tolerations ??= [];
      for (const taint of ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]) {
        if (!o.spec.tolerations.some((t: Json) => t.key === taint)) {
          o.spec.tolerations.push({ key: taint, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 });
        }
      }
      break;
    case "apps/deployments":
      o.spec ??= {};
      o.spec.replicas ??= 1;
      o.spec.strategy ??= { type: "RollingUpdate" };
      if ((o.spec.strategy.type ?? "RollingUpdate") === "RollingUpdate") {
        o.spec.strategy.type = "RollingUpdate";
        o.spec.strategy.rollingUpdate ??= {};
        o.spec.strategy.rollingUpdate.maxUnavailable ??= "25%";
        o.spec.strategy.rollingUpdate.maxSurge ??= "25%";
      }
      o.spec.revisionHistoryLimit ??= 10;
      o.spec.progressDeadlineSeconds ??= 600;
      defaultTemplate(o);
      break;
    case "apps/replicasets":
      o.spec ??= {};
      o.spec.replicas ??= 1;
      defaultTemplate(o);
      break;
    case "apps/daemonsets":
    case "apps/statefulsets":
    case "batch/jobs":
    case "batch/cronjobs":
    case "policy/poddisruptionbudgets":
    case "autoscaling/horizontalpodautoscalers":
      defaultWorkload(key, o);
      break;
    case "/replicationcontrollers": {
      o.spec ??= {};
      o.spec.replicas ??= 1;
      const tl = o.spec.template?.metadata?.labels;
      if (tl) {
        o.spec.selector ??= { ...tl };
        if (!o.metadata.labels || !Object.keys(o.metadata.labels).length) o.metadata.labels = { ...tl };
      }
      defaultTemplate(o);
      break;
    }
    case "/services": {
      o.spec ??= {};
      const s = o.spec;
      s.type ??= "ClusterIP";
      s.sessionAffinity ??= "None";
      for (const p of s.ports ?? []) {
        p.protocol ??= "TCP";
        p.targetPort ??= p.port;
      }
      if (s.type !== "ExternalName") {
        s.internalTrafficPolicy ??= "Cluster";
        s.ipFamilies ??= ["IPv4"];
        s.ipFamilyPolicy ??= "SingleStack";
      }
      if (s.type === "NodePort" || s.type === "LoadBalancer") s.externalTrafficPolicy ??= "Cluster";
      if (s.type === "LoadBalancer") s.allocateLoadBalancerNodePorts ??= true;
      break;
    }
    case "/namespaces":
      o.spec ??= {};
      o.spec.finalizers ??= ["kubernetes"];
      o.metadata.labels = { ...(o.metadata.labels ?? {}), "kubernetes.io/metadata.name": o.metadata.name };
      break;
    case "/secrets":
      o.type ??= "Opaque";
      if (o.stringData && typeof o.stringData === "object") {
        o.data ??= {};
        for (const [k, v] of Object.entries(o.stringData)) o.data[k] = Buffer.from(String(v)).toString("base64");
        delete o.stringData;
      }
      break;
    case "/persistentvolumeclaims":
      o.spec ??= {};
      o.spec.volumeMode ??= "Filesystem";
      break;
    case "/persistentvolumes":
      o.spec ??= {};
      o.spec.persistentVolumeReclaimPolicy ??= "Retain";
      o.spec.volumeMode ??= "Filesystem";
      break;
    case "storage.k8s.io/storageclasses":
      o.reclaimPolicy ??= "Delete";
      o.volumeBindingMode ??= "Immediate";
      break;
    case "rbac.authorization.k8s.io/rolebindings":
    case "rbac.authorization.k8s.io/clusterrolebindings":
      for (const s of o.subjects ?? []) {
        if (s.kind === "User" || s.kind === "Group") s.apiGroup ??= "rbac.authorization.k8s.io";
      }
      break;
  }
}

/** Status handling on create (reset) and on a main-resource update (kept from the old object). */
export function prepareStatus(def: ResourceDef, obj: KubeObject, old: KubeObject | undefined): void {
  const o = obj as Json;
  const key = `${def.group}/${def.resource}`;
  if (old) {
    if (def.subresources?.includes("status")) {
      if (old.status === undefined) delete o.status;
      else o.status = structuredClone(old.status);
    }
    return;
  }
  switch (key) {
    case "apiextensions.k8s.io/customresourcedefinitions":
      defaultCrd(o, true);
      break;
    case "/pods":
      o.status = { phase: "Pending", qosClass: qosClass(o.spec ?? {}) };
      break;
    case "/namespaces":
      o.status = { phase: "Active" };
      break;
    case "/persistentvolumeclaims":
    case "/persistentvolumes":
      o.status = { phase: "Pending" };
      break;
    case "/services":
      o.status = { loadBalancer: {} };
      break;
    case "apps/deployments":
    case "apps/replicasets":
    case "apps/daemonsets":
    case "apps/statefulsets":
    case "batch/jobs":
    case "batch/cronjobs":
    case "autoscaling/horizontalpodautoscalers":
    case "/replicationcontrollers":
    case "/resourcequotas":
    case "certificates.k8s.io/certificatesigningrequests":
      o.status = {};
      break;
  }
}
