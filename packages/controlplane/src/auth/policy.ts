// Bootstrap RBAC policy: the default cluster roles and bindings upstream creates at start-up
// (a subset: what tenants, nodes and bootstrappers need).
import type { KubeObject } from "../client.ts";

type Rule = {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
};

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];
const CORE_WORKLOADS = [
  "pods",
  "pods/attach",
  "pods/exec",
  "pods/portforward",
  "pods/proxy",
  "pods/eviction",
  "replicationcontrollers",
  "replicationcontrollers/scale",
  "services",
  "services/proxy",
  "endpoints",
  "persistentvolumeclaims",
  "configmaps",
  "secrets",
  "serviceaccounts",
  "serviceaccounts/token",
  "events",
];
const APPS = [
  "deployments",
  "deployments/scale",
  "deployments/rollback",
  "replicasets",
  "replicasets/scale",
  "statefulsets",
  "statefulsets/scale",
  "daemonsets",
  "controllerrevisions",
];
const VIEW_CORE = [
  "pods",
  "pods/log",
  "pods/status",
  "replicationcontrollers",
  "replicationcontrollers/scale",
  "replicationcontrollers/status",
  "services",
  "services/status",
  "endpoints",
  "persistentvolumeclaims",
  "persistentvolumeclaims/status",
  "configmaps",
  "serviceaccounts",
  "events",
  "limitranges",
  "resourcequotas",
  "resourcequotas/status",
  "namespaces",
  "namespaces/status",
  "bindings",
];
const OTHER_GROUPS = [
  "batch",
  "autoscaling",
  "networking.k8s.io",
  "policy",
  "discovery.k8s.io",
  "events.k8s.io",
  "coordination.k8s.io",
];

function role(name: string, rules: Rule[], labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: {
      name,
      labels: { "kubernetes.io/bootstrapping": "rbac-defaults", ...labels },
      annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
    },
    rules,
  };
}

function binding(
  name: string,
  roleName: string,
  subjects: { kind: string; name: string; namespace?: string }[],
): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: {
      name,
      labels: { "kubernetes.io/bootstrapping": "rbac-defaults" },
      annotations: { "rbac.authorization.kubernetes.io/autoupdate": "true" },
    },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleName },
    subjects: subjects.map((s) => (s.kind === "ServiceAccount" ? s : { apiGroup: "rbac.authorization.k8s.io", ...s })),
  };
}

const viewRules: Rule[] = [
  { apiGroups: [""], resources: VIEW_CORE, verbs: READ },
  { apiGroups: ["apps"], resources: [...APPS, "deployments/status", "replicasets/status"], verbs: READ },
  { apiGroups: OTHER_GROUPS, resources: ["*"], verbs: READ },
  { apiGroups: ["metrics.k8s.io"], resources: ["pods", "nodes"], verbs: READ },
];
const editRules: Rule[] = [
  { apiGroups: [""], resources: CORE_WORKLOADS, verbs: [...READ, ...WRITE] },
  { apiGroups: ["apps"], resources: APPS, verbs: [...READ, ...WRITE] },
  { apiGroups: OTHER_GROUPS, resources: ["*"], verbs: [...READ, ...WRITE] },
  // kubectl port-forward, exec and attach (as upstream's edit role).
  { apiGroups: [""], resources: ["pods/portforward", "pods/exec", "pods/attach"], verbs: ["create", "get"] },
  ...viewRules,
];
const adminRules: Rule[] = [
  ...editRules,
  { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: [...READ, ...WRITE] },
  { apiGroups: ["authorization.k8s.io"], resources: ["localsubjectaccessreviews"], verbs: ["create"] },
];

export const DEFAULT_CLUSTER_ROLES: KubeObject[] = [
  role("cluster-admin", [
    { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
    { nonResourceURLs: ["*"], verbs: ["*"] },
  ]),
  role("admin", adminRules, { "kubernetes.io/bootstrapping": "rbac-defaults" }),
  role("edit", editRules),
  role("view", viewRules),
  role("system:discovery", [
    {
      nonResourceURLs: [
        "/api",
        "/api/*",
        "/apis",
        "/apis/*",
        "/healthz",
        "/livez",
        "/readyz",
        "/openapi",
        "/openapi/*",
        "/version",
        "/version/",
      ],
      verbs: ["get"],
    },
  ]),
  role("system:basic-user", [
    {
      apiGroups: ["authorization.k8s.io"],
      resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
      verbs: ["create"],
    },
    { apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"], verbs: ["create"] },
  ]),
  role("system:node", [
    { apiGroups: [""], resources: ["nodes"], verbs: ["create", "get", "list", "watch", "update", "patch", "delete"] },
    { apiGroups: [""], resources: ["nodes/status"], verbs: ["patch", "update"] },
    { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch", "delete", "create"] },
    { apiGroups: [""], resources: ["pods/status"], verbs: ["patch", "update"] },
    { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
    {
      apiGroups: [""],
      resources: [
        "services",
        "endpoints",
        "configmaps",
        "secrets",
        "persistentvolumeclaims",
        "persistentvolumes",
        "namespaces",
      ],
      verbs: READ,
    },
    { apiGroups: [""], resources: ["events"], verbs: ["create", "patch", "update"] },
    { apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] },
    { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["create", "patch", "update"] },
    {
      apiGroups: ["coordination.k8s.io"],
      resources: ["leases"],
      verbs: ["create", "delete", "get", "patch", "update", "list", "watch"],
    },
    {
      apiGroups: ["certificates.k8s.io"],
      resources: ["certificatesigningrequests"],
      verbs: ["create", "get", "list", "watch"],
    },
    { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
    { apiGroups: ["storage.k8s.io"], resources: ["storageclasses"], verbs: READ },
  ]),
  role("system:node-bootstrapper", [
    {
      apiGroups: ["certificates.k8s.io"],
      resources: ["certificatesigningrequests"],
      verbs: ["create", "get", "list", "watch"],
    },
  ]),
];

export const DEFAULT_CLUSTER_ROLE_BINDINGS: KubeObject[] = [
  binding("cluster-admin", "cluster-admin", [{ kind: "Group", name: "system:masters" }]),
  binding("system:discovery", "system:discovery", [{ kind: "Group", name: "system:authenticated" }]),
  binding("system:basic-user", "system:basic-user", [{ kind: "Group", name: "system:authenticated" }]),
  binding("system:node", "system:node", [{ kind: "Group", name: "system:nodes" }]),
  binding("system:node-bootstrapper", "system:node-bootstrapper", [{ kind: "Group", name: "system:bootstrappers" }]),
];
