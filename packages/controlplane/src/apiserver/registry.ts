// The registry of served resources: one definition per REST resource. Discovery, OpenAPI, RBAC,
// storage keys and the HTTP router all read it, so adding a kind (CRDs, DaemonSet, Job...) is
// one entry here plus optional strategy hooks (defaults, validation, table columns).

export interface ResourceDef {
  group: string;
  version: string;
  resource: string; // plural
  kind: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  subresources?: string[]; // "status", "scale", "binding", "eviction", "log", "approval", "token"
  /** Upstream OpenAPI definition name, e.g. io.k8s.api.core.v1.Pod */
  openapi: string;
  verbs?: string[];
  /** false for virtual resources (metrics): not stored in etcd */
  stored?: boolean;
  /** Served from / until these Kubernetes minors only (versions.ts); absent = every minor. */
  minMinor?: number;
  maxMinor?: number;
  /** Served for a CustomResourceDefinition (crd/): its schema, printer columns and scale paths. */
  crd?: import("./crd/types.ts").CrdServing;
}

const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

function d(
  gv: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  openapi: string,
  extra: Partial<ResourceDef> = {},
): ResourceDef {
  const [group, version] = gv.includes("/") ? (gv.split("/") as [string, string]) : ["", gv];
  return { group, version, resource, kind, singular: kind.toLowerCase(), namespaced, openapi, ...extra };
}

const core = "io.k8s.api.core.v1.";
export const RESOURCES: ResourceDef[] = [
  d("v1", "namespaces", "Namespace", false, core + "Namespace", {
    shortNames: ["ns"],
    subresources: ["status", "finalize"],
  }),
  d("v1", "nodes", "Node", false, core + "Node", { shortNames: ["no"], subresources: ["status"] }),
  d("v1", "pods", "Pod", true, core + "Pod", {
    shortNames: ["po"],
    categories: ["all"],
    subresources: ["status", "binding", "eviction", "log", "portforward", "proxy", "exec", "attach"],
  }),
  d("v1", "services", "Service", true, core + "Service", {
    shortNames: ["svc"],
    categories: ["all"],
    subresources: ["status", "proxy"],
  }),
  d("v1", "endpoints", "Endpoints", true, core + "Endpoints", { shortNames: ["ep"] }),
  d("v1", "configmaps", "ConfigMap", true, core + "ConfigMap", { shortNames: ["cm"] }),
  d("v1", "secrets", "Secret", true, core + "Secret"),
  d("v1", "serviceaccounts", "ServiceAccount", true, core + "ServiceAccount", {
    shortNames: ["sa"],
    subresources: ["token"],
  }),
  d("v1", "events", "Event", true, core + "Event", { shortNames: ["ev"] }),
  d("v1", "replicationcontrollers", "ReplicationController", true, core + "ReplicationController", {
    shortNames: ["rc"],
    categories: ["all"],
    subresources: ["status", "scale"],
  }),
  d("v1", "resourcequotas", "ResourceQuota", true, core + "ResourceQuota", {
    shortNames: ["quota"],
    subresources: ["status"],
  }),
  d("v1", "limitranges", "LimitRange", true, core + "LimitRange", { shortNames: ["limits"] }),
  d("v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, core + "PersistentVolumeClaim", {
    shortNames: ["pvc"],
    subresources: ["status"],
  }),
  d("v1", "persistentvolumes", "PersistentVolume", false, core + "PersistentVolume", {
    shortNames: ["pv"],
    subresources: ["status"],
  }),
  d("v1", "componentstatuses", "ComponentStatus", false, core + "ComponentStatus", {
    shortNames: ["cs"],
    verbs: ["get", "list"],
    stored: false,
  }),
  d("apps/v1", "deployments", "Deployment", true, "io.k8s.api.apps.v1.Deployment", {
    shortNames: ["deploy"],
    categories: ["all"],
    subresources: ["status", "scale"],
  }),
  d("apps/v1", "replicasets", "ReplicaSet", true, "io.k8s.api.apps.v1.ReplicaSet", {
    shortNames: ["rs"],
    categories: ["all"],
    subresources: ["status", "scale"],
  }),
  d("apps/v1", "controllerrevisions", "ControllerRevision", true, "io.k8s.api.apps.v1.ControllerRevision"),
  d("apps/v1", "daemonsets", "DaemonSet", true, "io.k8s.api.apps.v1.DaemonSet", {
    shortNames: ["ds"],
    categories: ["all"],
    subresources: ["status"],
  }),
  d("apps/v1", "statefulsets", "StatefulSet", true, "io.k8s.api.apps.v1.StatefulSet", {
    shortNames: ["sts"],
    categories: ["all"],
    subresources: ["status", "scale"],
  }),
  d("batch/v1", "jobs", "Job", true, "io.k8s.api.batch.v1.Job", {
    categories: ["all"],
    subresources: ["status"],
  }),
  d("batch/v1", "cronjobs", "CronJob", true, "io.k8s.api.batch.v1.CronJob", {
    shortNames: ["cj"],
    categories: ["all"],
    subresources: ["status"],
  }),
  d("policy/v1", "poddisruptionbudgets", "PodDisruptionBudget", true, "io.k8s.api.policy.v1.PodDisruptionBudget", {
    shortNames: ["pdb"],
    subresources: ["status"],
  }),
  d(
    "autoscaling/v2",
    "horizontalpodautoscalers",
    "HorizontalPodAutoscaler",
    true,
    "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler",
    { shortNames: ["hpa"], categories: ["all"], subresources: ["status"] },
  ),
  // Stored as v2; v1 is converted (convert.ts) for `kubectl autoscale` before 1.33.
  d(
    "autoscaling/v1",
    "horizontalpodautoscalers",
    "HorizontalPodAutoscaler",
    true,
    "io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler",
    { shortNames: ["hpa"], categories: ["all"], subresources: ["status"] },
  ),
  d("coordination.k8s.io/v1", "leases", "Lease", true, "io.k8s.api.coordination.v1.Lease"),
  d("discovery.k8s.io/v1", "endpointslices", "EndpointSlice", true, "io.k8s.api.discovery.v1.EndpointSlice"),
  d("events.k8s.io/v1", "events", "Event", true, "io.k8s.api.events.v1.Event", { shortNames: ["ev"] }),
  d("storage.k8s.io/v1", "storageclasses", "StorageClass", false, "io.k8s.api.storage.v1.StorageClass", {
    shortNames: ["sc"],
  }),
  d(
    "certificates.k8s.io/v1",
    "certificatesigningrequests",
    "CertificateSigningRequest",
    false,
    "io.k8s.api.certificates.v1.CertificateSigningRequest",
    { shortNames: ["csr"], subresources: ["status", "approval"] },
  ),
  d("networking.k8s.io/v1", "ingresses", "Ingress", true, "io.k8s.api.networking.v1.Ingress", {
    shortNames: ["ing"],
    subresources: ["status"],
  }),
  d("networking.k8s.io/v1", "ingressclasses", "IngressClass", false, "io.k8s.api.networking.v1.IngressClass"),
  d(
    "apiextensions.k8s.io/v1",
    "customresourcedefinitions",
    "CustomResourceDefinition",
    false,
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition",
    { shortNames: ["crd", "crds"], categories: ["api-extensions"], subresources: ["status"] },
  ),
  d("rbac.authorization.k8s.io/v1", "roles", "Role", true, "io.k8s.api.rbac.v1.Role"),
  d("rbac.authorization.k8s.io/v1", "rolebindings", "RoleBinding", true, "io.k8s.api.rbac.v1.RoleBinding"),
  d("rbac.authorization.k8s.io/v1", "clusterroles", "ClusterRole", false, "io.k8s.api.rbac.v1.ClusterRole"),
  d(
    "rbac.authorization.k8s.io/v1",
    "clusterrolebindings",
    "ClusterRoleBinding",
    false,
    "io.k8s.api.rbac.v1.ClusterRoleBinding",
  ),
  d(
    "authorization.k8s.io/v1",
    "selfsubjectaccessreviews",
    "SelfSubjectAccessReview",
    false,
    "io.k8s.api.authorization.v1.SelfSubjectAccessReview",
    { verbs: ["create"], stored: false },
  ),
  d(
    "authorization.k8s.io/v1",
    "subjectaccessreviews",
    "SubjectAccessReview",
    false,
    "io.k8s.api.authorization.v1.SubjectAccessReview",
    { verbs: ["create"], stored: false },
  ),
  d(
    "authentication.k8s.io/v1",
    "selfsubjectreviews",
    "SelfSubjectReview",
    false,
    "io.k8s.api.authentication.v1.SelfSubjectReview",
    {
      verbs: ["create"],
      stored: false,
    },
  ),
  // APIs that differ between the minors Nuage offers (versions.ts, docs/apimachinery.md).
  ...flowcontrol("v1", {}),
  ...flowcontrol("v1beta3", { maxMinor: 31 }), // no longer served as of 1.32
  d("networking.k8s.io/v1", "servicecidrs", "ServiceCIDR", false, "io.k8s.api.networking.v1.ServiceCIDR", {
    subresources: ["status"],
    minMinor: 33, // GA (MultiCIDRServiceAllocator) in 1.33
  }),
  d("networking.k8s.io/v1", "ipaddresses", "IPAddress", false, "io.k8s.api.networking.v1.IPAddress", {
    shortNames: ["ip"],
    minMinor: 33,
  }),
  d(
    "storage.k8s.io/v1beta1",
    "volumeattributesclasses",
    "VolumeAttributesClass",
    false,
    "io.k8s.api.storage.v1beta1.VolumeAttributesClass",
    { shortNames: ["vac"], minMinor: 31 },
  ),
  // Dynamic resource allocation, enabled on Nuage clusters: v1alpha3 (1.31), v1beta1 (1.32), v1beta2 (1.33).
  ...dra("v1alpha3", "v1beta1", { maxMinor: 32 }),
  ...dra("v1beta1", "v1beta1", { minMinor: 32 }),
  ...dra("v1beta2", "v1beta2", { minMinor: 33 }),
  d("metrics.k8s.io/v1beta1", "nodes", "NodeMetrics", false, "io.k8s.metrics.pkg.apis.metrics.v1beta1.NodeMetrics", {
    verbs: ["get", "list"],
    stored: false,
  }),
  d("metrics.k8s.io/v1beta1", "pods", "PodMetrics", true, "io.k8s.metrics.pkg.apis.metrics.v1beta1.PodMetrics", {
    verbs: ["get", "list"],
    stored: false,
  }),
];

function flowcontrol(version: string, extra: Partial<ResourceDef>): ResourceDef[] {
  const gv = `flowcontrol.apiserver.k8s.io/${version}`;
  const o = "io.k8s.api.flowcontrol.v1.";
  return [
    d(gv, "flowschemas", "FlowSchema", false, `${o}FlowSchema`, { subresources: ["status"], ...extra }),
    d(gv, "prioritylevelconfigurations", "PriorityLevelConfiguration", false, `${o}PriorityLevelConfiguration`, {
      subresources: ["status"],
      ...extra,
    }),
  ];
}

function dra(version: string, schemaVersion: string, extra: Partial<ResourceDef>): ResourceDef[] {
  const gv = `resource.k8s.io/${version}`;
  const o = `io.k8s.api.resource.${schemaVersion}.`;
  return [
    d(gv, "deviceclasses", "DeviceClass", false, `${o}DeviceClass`, extra),
    d(gv, "resourceclaims", "ResourceClaim", true, `${o}ResourceClaim`, { subresources: ["status"], ...extra }),
    d(gv, "resourceclaimtemplates", "ResourceClaimTemplate", true, `${o}ResourceClaimTemplate`, extra),
    d(gv, "resourceslices", "ResourceSlice", false, `${o}ResourceSlice`, extra),
  ];
}

export function verbsOf(def: ResourceDef): string[] {
  return def.verbs ?? ALL_VERBS;
}

export function gvString(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function findResource(group: string, version: string, resource: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}

export function findByKind(apiVersion: string, kind: string): ResourceDef | undefined {
  return RESOURCES.find((r) => gvString(r.group, r.version) === apiVersion && r.kind === kind);
}

/** Group versions in discovery order; core first, then groups by first appearance. */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Set<string>();
  const out: { group: string; version: string }[] = [];
  for (const r of RESOURCES) {
    const k = gvString(r.group, r.version);
    if (!seen.has(k)) {
      seen.add(k);
      out.push({ group: r.group, version: r.version });
    }
  }
  return out;
}

export function hasStatus(def: ResourceDef): boolean {
  return def.subresources?.includes("status") ?? false;
}
