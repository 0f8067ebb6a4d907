// Table columns for events, storage, quotas, leases, RBAC and CSRs (upstream's printers).
import { AGE, a, col, NAME, n, type Printer } from "./columns.ts";
import { accessModes, age, none } from "./format.ts";

type Json = any;

function quotaPairs(o: Json, limits: boolean): string {
  const hard = o.status?.hard ?? o.spec?.hard ?? {};
  const used = o.status?.used ?? {};
  return Object.keys(hard)
    .filter((k) => k.startsWith("limits.") === limits)
    .sort()
    .map((k) => `${k}: ${used[k] ?? "0"}/${hard[k]}`)
    .join(", ");
}

function subjects(o: Json, kind: string): string {
  return (o.subjects ?? [])
    .filter((s: Json) => s.kind === kind)
    .map((s: Json) => (kind === "ServiceAccount" ? `${s.namespace}/${s.name}` : s.name))
    .join(", ");
}

function csrCondition(o: Json): string {
  const c: string[] = (o.status?.conditions ?? []).map((x: Json) => x.type);
  if (!c.length) return "Pending";
  if (o.status?.certificate && c.includes("Approved")) return [...c, "Issued"].join(",");
  return c.join(",");
}

const rbacBindingRow = (o: Json) => [
  n(o),
  `${o.roleRef?.kind}/${o.roleRef?.name}`,
  a(o),
  subjects(o, "User"),
  subjects(o, "Group"),
  subjects(o, "ServiceAccount"),
];

const RBAC_BINDING_COLS = [NAME, col("Role"), AGE, col("Users", 1), col("Groups", 1), col("ServiceAccounts", 1)];

export const MORE_PRINTERS: Record<string, Printer> = {
  "/events": {
    columns: [
      col("Last Seen"),
      col("Type"),
      col("Reason"),
      col("Object"),
      col("Message"),
      col("Subobject", 1),
      col("Source", 1),
      col("First Seen", 1),
      col("Count", 1, "integer"),
      { ...NAME, priority: 1 },
    ],
    row: (o) => {
      const last = o.lastTimestamp ?? o.eventTime ?? o.metadata?.creationTimestamp;
      const io = o.involvedObject ?? {};
      const src = o.source?.component
        ? `${o.source.component}${o.source.host ? `, ${o.source.host}` : ""}`
        : (o.reportingComponent ?? "");
      return [
        age(last),
        o.type ?? "",
        o.reason ?? "",
        `${String(io.kind ?? "").toLowerCase()}/${io.name ?? ""}`,
        (o.message ?? "").trim(),
        io.fieldPath ?? "",
        src,
        age(o.firstTimestamp ?? last),
        o.count ?? 1,
        n(o),
      ];
    },
  },
  "events.k8s.io/events": {
    columns: [col("Last Seen"), col("Type"), col("Reason"), col("Object"), col("Message")],
    row: (o) => [
      age(o.deprecatedLastTimestamp ?? o.eventTime ?? o.metadata?.creationTimestamp),
      o.type ?? "",
      o.reason ?? "",
      `${String(o.regarding?.kind ?? "").toLowerCase()}/${o.regarding?.name ?? ""}`,
      o.note ?? "",
    ],
  },
  "/persistentvolumeclaims": {
    columns: [
      NAME,
      col("Status"),
      col("Volume"),
      col("Capacity"),
      col("Access Modes"),
      col("StorageClass"),
      col("VolumeAttributesClass"),
      AGE,
      col("VolumeMode", 1),
    ],
    row: (o) => [
      n(o),
      o.status?.phase ?? "Pending",
      o.spec?.volumeName ?? "",
      o.status?.capacity?.storage ?? "",
      accessModes(o.status?.accessModes),
      o.spec?.storageClassName ?? "",
      none(o.spec?.volumeAttributesClassName),
      a(o),
      o.spec?.volumeMode ?? "Filesystem",
    ],
  },
  "/persistentvolumes": {
    columns: [
      NAME,
      col("Capacity"),
      col("Access Modes"),
      col("Reclaim Policy"),
      col("Status"),
      col("Claim"),
      col("StorageClass"),
      col("VolumeAttributesClass"),
      col("Reason"),
      AGE,
      col("VolumeMode", 1),
    ],
    row: (o) => {
      const c = o.spec?.claimRef;
      return [
        n(o),
        o.spec?.capacity?.storage ?? "",
        accessModes(o.spec?.accessModes),
        o.spec?.persistentVolumeReclaimPolicy ?? "",
        o.status?.phase ?? "",
        c ? `${c.namespace}/${c.name}` : "",
        o.spec?.storageClassName ?? "",
        none(o.spec?.volumeAttributesClassName),
        o.status?.reason ?? "",
        a(o),
        o.spec?.volumeMode ?? "Filesystem",
      ];
    },
  },
  "storage.k8s.io/storageclasses": {
    columns: [
      NAME,
      col("Provisioner"),
      col("ReclaimPolicy"),
      col("VolumeBindingMode"),
      col("AllowVolumeExpansion", 0, "boolean"),
      AGE,
    ],
    row: (o) => {
      const def = o.metadata?.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true";
      return [
        def ? `${n(o)} (default)` : n(o),
        o.provisioner ?? "",
        o.reclaimPolicy ?? "Delete",
        o.volumeBindingMode ?? "Immediate",
        !!o.allowVolumeExpansion,
        a(o),
      ];
    },
  },
  "/resourcequotas": {
    columns: [NAME, AGE, col("Request"), col("Limit")],
    row: (o) => [n(o), a(o), quotaPairs(o, false), quotaPairs(o, true)],
  },
  "/limitranges": { columns: [NAME, col("Created At")], row: (o) => [n(o), o.metadata?.creationTimestamp ?? ""] },
  "coordination.k8s.io/leases": {
    columns: [NAME, col("Holder"), AGE],
    row: (o) => [n(o), o.spec?.holderIdentity ?? "", a(o)],
  },
  "rbac.authorization.k8s.io/roles": {
    columns: [NAME, col("Created At")],
    row: (o) => [n(o), o.metadata?.creationTimestamp ?? ""],
  },
  "rbac.authorization.k8s.io/clusterroles": {
    columns: [NAME, col("Created At")],
    row: (o) => [n(o), o.metadata?.creationTimestamp ?? ""],
  },
  "rbac.authorization.k8s.io/rolebindings": { columns: RBAC_BINDING_COLS, row: rbacBindingRow },
  "rbac.authorization.k8s.io/clusterrolebindings": { columns: RBAC_BINDING_COLS, row: rbacBindingRow },
  "certificates.k8s.io/certificatesigningrequests": {
    columns: [NAME, AGE, col("SignerName"), col("Requestor"), col("RequestedDuration"), col("Condition")],
    row: (o) => [
      n(o),
      a(o),
      o.spec?.signerName ?? "",
      o.spec?.username ?? "",
      o.spec?.expirationSeconds ? `${Math.round(o.spec.expirationSeconds / 60)}m` : "<none>",
      csrCondition(o),
    ],
  },
};
