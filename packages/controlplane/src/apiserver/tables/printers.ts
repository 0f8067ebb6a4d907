// Table columns per kind, as upstream's pkg/printers/internalversion prints them.

import { AGE, a, col, NAME, n, type Printer } from "./columns.ts";
import { containersAndImages, labelSelectorString, mapSelector, none } from "./format.ts";
import { podReadyAndStatus } from "./pod.ts";
import { MORE_PRINTERS } from "./printers-more.ts";
import { TRAFFIC_PRINTERS } from "./printers-traffic.ts";
import { WORKLOAD_PRINTERS } from "./printers-workloads.ts";

export type { Column, Printer } from "./columns.ts";

type Json = any;

function servicePorts(s: Json): string {
  const ports: Json[] = s.spec?.ports ?? [];
  if (!ports.length) return "<none>";
  return ports
    .map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? "TCP"}` : `${p.port}/${p.protocol ?? "TCP"}`))
    .join(",");
}

function externalIp(s: Json): string {
  const t = s.spec?.type;
  const ext: string[] = s.spec?.externalIPs ?? [];
  if (t === "ExternalName") return s.spec?.externalName ?? "<none>";
  if (t === "LoadBalancer") {
    const ing: string[] = (s.status?.loadBalancer?.ingress ?? []).map((i: Json) => i.ip ?? i.hostname);
    const all = [...ing, ...ext];
    return all.length ? all.join(",") : "<pending>";
  }
  return ext.length ? ext.join(",") : "<none>";
}

function endpoints(o: Json): string {
  const list: string[] = [];
  for (const s of o.subsets ?? []) {
    for (const addr of s.addresses ?? []) {
      const ports: Json[] = s.ports?.length ? s.ports : [{}];
      for (const p of ports) list.push(p.port ? `${addr.ip}:${p.port}` : addr.ip);
    }
  }
  if (!list.length) return "<none>";
  return list.length > 3 ? `${list.slice(0, 3).join(",")} + ${list.length - 3} more...` : list.join(",");
}

function nodeStatus(o: Json): string {
  const ready = (o.status?.conditions ?? []).find((c: Json) => c.type === "Ready");
  let s = ready?.status === "True" ? "Ready" : ready ? "NotReady" : "Unknown";
  if (o.spec?.unschedulable) s += ",SchedulingDisabled";
  return s;
}

function nodeRoles(o: Json): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(o.metadata?.labels ?? {})) {
    if (k.startsWith("node-role.kubernetes.io/")) roles.add(k.slice("node-role.kubernetes.io/".length));
    if (k === "kubernetes.io/role") roles.add(String(v));
  }
  return roles.size ? [...roles].sort().join(",") : "<none>";
}

function addr(o: Json, type: string): string {
  return none((o.status?.addresses ?? []).find((x: Json) => x.type === type)?.address);
}

const workloadWide = (o: Json, sel: (o: Json) => string) => {
  const [c, i] = containersAndImages(o.spec?.template?.spec);
  return [c, i, sel(o)];
};
const WIDE_WORKLOAD = [col("Containers", 1), col("Images", 1), col("Selector", 1)];

/** ReplicaSets and ReplicationControllers print alike; only their selector's shape differs. */
function replicaPrinter(selectorOf: (o: Json) => string): Printer {
  return {
    columns: [
      NAME,
      col("Desired", 0, "integer"),
      col("Current", 0, "integer"),
      col("Ready", 0, "integer"),
      AGE,
      ...WIDE_WORKLOAD,
    ],
    row: (o) => [
      n(o),
      o.spec?.replicas ?? 0,
      o.status?.replicas ?? 0,
      o.status?.readyReplicas ?? 0,
      a(o),
      ...workloadWide(o, selectorOf),
    ],
  };
}
export const PRINTERS: Record<string, Printer> = {
  "/pods": {
    columns: [
      NAME,
      col("Ready"),
      col("Status"),
      col("Restarts", 0, "string"),
      AGE,
      col("IP", 1),
      col("Node", 1),
      col("Nominated Node", 1),
      col("Readiness Gates", 1),
    ],
    row: (o) => {
      const { ready, status, restarts } = podReadyAndStatus(o);
      const gates: Json[] = o.spec?.readinessGates ?? [];
      const gateStr = gates.length
        ? `${gates.filter((g) => (o.status?.conditions ?? []).some((c: Json) => c.type === g.conditionType && c.status === "True")).length}/${gates.length}`
        : "<none>";
      return [
        n(o),
        ready,
        status,
        restarts,
        a(o),
        none(o.status?.podIP),
        none(o.spec?.nodeName),
        none(o.status?.nominatedNodeName),
        gateStr,
      ];
    },
  },
  "/nodes": {
    columns: [
      NAME,
      col("Status"),
      col("Roles"),
      AGE,
      col("Version"),
      col("Internal-IP", 1),
      col("External-IP", 1),
      col("OS-Image", 1),
      col("Kernel-Version", 1),
      col("Container-Runtime", 1),
    ],
    row: (o) => {
      const i = o.status?.nodeInfo ?? {};
      return [
        n(o),
        nodeStatus(o),
        nodeRoles(o),
        a(o),
        i.kubeletVersion ?? "",
        addr(o, "InternalIP"),
        addr(o, "ExternalIP"),
        none(i.osImage),
        none(i.kernelVersion),
        none(i.containerRuntimeVersion),
      ];
    },
  },
  "apps/deployments": {
    columns: [
      NAME,
      col("Ready"),
      col("Up-to-date", 0, "integer"),
      col("Available", 0, "integer"),
      AGE,
      ...WIDE_WORKLOAD,
    ],
    row: (o) => [
      n(o),
      `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`,
      o.status?.updatedReplicas ?? 0,
      o.status?.availableReplicas ?? 0,
      a(o),
      ...workloadWide(o, (x) => labelSelectorString(x.spec?.selector)),
    ],
  },
  "apps/replicasets": replicaPrinter((o) => labelSelectorString(o.spec?.selector)),
  "/replicationcontrollers": replicaPrinter((o) => mapSelector(o.spec?.selector)),
  "/services": {
    columns: [NAME, col("Type"), col("Cluster-IP"), col("External-IP"), col("Port(s)"), AGE, col("Selector", 1)],
    row: (o) => [
      n(o),
      o.spec?.type ?? "ClusterIP",
      none(o.spec?.clusterIP),
      externalIp(o),
      servicePorts(o),
      a(o),
      mapSelector(o.spec?.selector),
    ],
  },
  "/endpoints": { columns: [NAME, col("Endpoints"), AGE], row: (o) => [n(o), endpoints(o), a(o)] },
  "discovery.k8s.io/endpointslices": {
    columns: [NAME, col("AddressType"), col("Ports"), col("Endpoints"), AGE],
    row: (o) => {
      const ports = (o.ports ?? []).map((p: Json) => p.port).join(",") || "<unset>";
      const eps = (o.endpoints ?? []).flatMap((e: Json) => e.addresses ?? []);
      const epStr = eps.length
        ? eps.length > 3
          ? `${eps.slice(0, 3).join(",")} + ${eps.length - 3} more...`
          : eps.join(",")
        : "<unset>";
      return [n(o), o.addressType ?? "", ports, epStr, a(o)];
    },
  },
  "/componentstatuses": {
    columns: [NAME, col("Status"), col("Message"), col("Error")],
    row: (o) => {
      const c = (o.conditions ?? []).find((x: Json) => x.type === "Healthy") ?? {};
      return [n(o), c.status === "True" ? "Healthy" : "Unhealthy", c.message ?? "", c.error ?? ""];
    },
  },
  "/namespaces": { columns: [NAME, col("Status"), AGE], row: (o) => [n(o), o.status?.phase ?? "Active", a(o)] },
  "/secrets": {
    columns: [NAME, col("Type"), col("Data", 0, "integer"), AGE],
    row: (o) => [n(o), o.type ?? "Opaque", Object.keys(o.data ?? {}).length, a(o)],
  },
  "/configmaps": {
    columns: [NAME, col("Data", 0, "integer"), AGE],
    row: (o) => [n(o), Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, a(o)],
  },
  "/serviceaccounts": {
    columns: [NAME, col("Secrets", 0, "integer"), AGE],
    row: (o) => [n(o), (o.secrets ?? []).length, a(o)],
  },
  ...MORE_PRINTERS,
  ...WORKLOAD_PRINTERS,
  ...TRAFFIC_PRINTERS,
};

export const DEFAULT_PRINTER: Printer = { columns: [NAME, AGE], row: (o) => [n(o), a(o)] };
