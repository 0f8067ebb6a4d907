// Desired rows → Kubernetes objects. Each `ensure*` reads the object, creates it when missing,
// replaces it when it differs from the platform's version, and says which happened, so the same
// code serves the sync job ("applied") and the reconcile loop ("drift corrected"). All of it is
// idempotent: a rerun after a crash converges to the same objects.
import { createHash } from "node:crypto";
import type {
  V1LimitRange,
  V1Namespace,
  V1ObjectMeta,
  V1ResourceQuota,
  V1RoleBinding,
  V1Secret,
} from "@kubernetes/client-node";
import {
  GRANT_CLUSTER_ROLES,
  LIMITS_OBJECT,
  openForOrg,
  QUOTA_OBJECT,
  quantityUnits,
  type TContainerDefaults,
  type TQuota,
} from "@nuage/core";
import type { Namespace, NamespaceGrant, NamespaceItem } from "@nuage/db/types";
import { type NsKube, statusOf } from "./kube.ts";

export const MANAGED_BY = "app.kubernetes.io/managed-by";
export const ID_LABEL = "nuage.dev/id";
export const HASH_ANNOTATION = "nuage.dev/hash";
export const VERSION_ANNOTATION = "nuage.dev/version";

export type Outcome = "created" | "updated" | "unchanged";

const hash = (...parts: unknown[]) => createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32);

function meta(
  name: string,
  id: string,
  generation: number,
  h: string,
  namespace?: string,
  labels: Record<string, string> = {},
): V1ObjectMeta {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    labels: { ...labels, [MANAGED_BY]: "nuage", [ID_LABEL]: id },
    annotations: { [HASH_ANNOTATION]: h, [VERSION_ANNOTATION]: String(generation) },
  };
}

export const isManaged = (m: V1ObjectMeta | undefined) => m?.labels?.[MANAGED_BY] === "nuage";

async function readOrNull<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (e) {
    if (statusOf(e) === 404) return null;
    throw e;
  }
}

export class UnmanagedConflict extends Error {
  override name = "UnmanagedConflict";
}

/** The generic read → create | compare → replace. */
async function ensure<T extends { metadata?: V1ObjectMeta }>(opts: {
  read: () => Promise<T>;
  create: (body: T) => Promise<unknown>;
  replace: (body: T) => Promise<unknown>;
  desired: T;
  same: (actual: T) => boolean;
  /** Whether an existing object nobody marked as managed may be taken over (namespaces: yes). */
  adopt: boolean;
  what: string;
}): Promise<Outcome> {
  const actual = await readOrNull(opts.read);
  if (!actual) {
    try {
      await opts.create(opts.desired);
      return "created";
    } catch (e) {
      if (statusOf(e) !== 409) throw e;
      return ensure(opts); // created concurrently: compare again
    }
  }
  if (!isManaged(actual.metadata) && !opts.adopt)
    throw new UnmanagedConflict(
      `${opts.what} already exists in the cluster and is not managed by Nuage: delete it or pick another name`,
    );
  const wantHash = opts.desired.metadata?.annotations?.[HASH_ANNOTATION];
  if (actual.metadata?.annotations?.[HASH_ANNOTATION] === wantHash && isManaged(actual.metadata) && opts.same(actual))
    return "unchanged";
  const body = {
    ...opts.desired,
    metadata: {
      ...opts.desired.metadata,
      resourceVersion: actual.metadata?.resourceVersion,
      // Keep labels/annotations others added (kubernetes.io/metadata.name, tools'); ours win.
      labels: { ...(actual.metadata?.labels ?? {}), ...(opts.desired.metadata?.labels ?? {}) },
      annotations: { ...(actual.metadata?.annotations ?? {}), ...(opts.desired.metadata?.annotations ?? {}) },
    },
  } as T;
  await opts.replace(body);
  return "updated";
}

const sameUnits = (field: string, a: string | undefined, b: string | undefined) => {
  if (a === undefined || b === undefined) return a === b;
  try {
    return quantityUnits(field, a) === quantityUnits(field, b);
  } catch {
    return a === b;
  }
};

function sameMap(field: string, want: Record<string, string | undefined>, got: Record<string, string> | undefined) {
  const w = Object.entries(want).filter(([, v]) => v !== undefined);
  const g = Object.entries(got ?? {});
  return w.length === g.length && w.every(([k, v]) => sameUnits(`${field}.${k}`, v, got?.[k]));
}

/** Namespace + ResourceQuota + LimitRange. Returns what changed on each (for drift events). */
export async function ensureNamespace(k: NsKube, n: Namespace): Promise<Record<string, Outcome>> {
  const labels = n.labels as Record<string, string>;
  const quota = n.quota as TQuota;
  const limits = n.limits as TContainerDefaults;
  const nsBody: V1Namespace = { metadata: meta(n.name, n.id, n.generation, hash(n.id, labels), undefined, labels) };
  const out: Record<string, Outcome> = {};
  out.namespace = await ensure<V1Namespace>({
    read: () => k.core.readNamespace({ name: n.name }),
    create: (body) => k.core.createNamespace({ body }),
    replace: (body) => k.core.replaceNamespace({ name: n.name, body }),
    desired: nsBody,
    same: (a) =>
      Object.entries(labels).every(([key, v]) => a.metadata?.labels?.[key] === v) && a.status?.phase !== "Terminating",
    adopt: true,
    what: `Namespace ${n.name}`,
  });
  const hard = Object.fromEntries(Object.entries(quota).filter(([, v]) => v)) as Record<string, string>;
  if (Object.keys(hard).length) {
    out.quota = await ensure<V1ResourceQuota>({
      read: () => k.core.readNamespacedResourceQuota({ name: QUOTA_OBJECT, namespace: n.name }),
      create: (body) => k.core.createNamespacedResourceQuota({ namespace: n.name, body }),
      replace: (body) => k.core.replaceNamespacedResourceQuota({ name: QUOTA_OBJECT, namespace: n.name, body }),
      desired: { metadata: meta(QUOTA_OBJECT, n.id, n.generation, hash(n.id, hard), n.name), spec: { hard } },
      same: (a) => sameMap("quota", hard, a.spec?.hard),
      adopt: false,
      what: `ResourceQuota ${QUOTA_OBJECT}`,
    });
  } else {
    await deleteIfManaged(
      () => k.core.readNamespacedResourceQuota({ name: QUOTA_OBJECT, namespace: n.name }),
      () => k.core.deleteNamespacedResourceQuota({ name: QUOTA_OBJECT, namespace: n.name }),
    );
  }
  const def = Object.fromEntries(Object.entries(limits.default ?? {}).filter(([, v]) => v)) as Record<string, string>;
  const defReq = Object.fromEntries(Object.entries(limits.defaultRequest ?? {}).filter(([, v]) => v)) as Record<
    string,
    string
  >;
  if (Object.keys(def).length || Object.keys(defReq).length) {
    const item = {
      type: "Container",
      ...(Object.keys(def).length ? { _default: def } : {}),
      ...(Object.keys(defReq).length ? { defaultRequest: defReq } : {}),
    };
    out.limits = await ensure<V1LimitRange>({
      read: () => k.core.readNamespacedLimitRange({ name: LIMITS_OBJECT, namespace: n.name }),
      create: (body) => k.core.createNamespacedLimitRange({ namespace: n.name, body }),
      replace: (body) => k.core.replaceNamespacedLimitRange({ name: LIMITS_OBJECT, namespace: n.name, body }),
      desired: {
        metadata: meta(LIMITS_OBJECT, n.id, n.generation, hash(n.id, def, defReq), n.name),
        spec: { limits: [item] },
      },
      same: (a) => {
        const l = a.spec?.limits?.[0];
        return !!l && sameMap("default", def, l._default) && sameMap("defaultRequest", defReq, l.defaultRequest);
      },
      adopt: false,
      what: `LimitRange ${LIMITS_OBJECT}`,
    });
  } else {
    await deleteIfManaged(
      () => k.core.readNamespacedLimitRange({ name: LIMITS_OBJECT, namespace: n.name }),
      () => k.core.deleteNamespacedLimitRange({ name: LIMITS_OBJECT, namespace: n.name }),
    );
  }
  return out;
}

async function deleteIfManaged(
  read: () => Promise<{ metadata?: V1ObjectMeta }>,
  del: () => Promise<unknown>,
): Promise<boolean> {
  const a = await readOrNull(read);
  if (!a || !isManaged(a.metadata)) return false;
  try {
    await del();
  } catch (e) {
    if (statusOf(e) !== 404) throw e;
  }
  return true;
}

/** Deletes the namespace (the cluster removes what it holds). True once it is gone. */
export async function removeNamespace(k: NsKube, n: Namespace): Promise<boolean> {
  const a = await readOrNull(() => k.core.readNamespace({ name: n.name }));
  if (!a) return true;
  if (!isManaged(a.metadata) || n.protected) return true; // adopted/protected: only our objects go
  try {
    await k.core.deleteNamespace({ name: n.name });
  } catch (e) {
    if (statusOf(e) !== 404) throw e;
  }
  return true;
}

export async function ensureItem(k: NsKube, ns: Namespace, i: NamespaceItem): Promise<Outcome> {
  const h = hash(i.id, i.generation, i.type, i.data);
  if (i.kind === "secret") {
    const data = await openForOrg<Record<string, string>>(i.orgId, i.id, i.data);
    const b64 = Object.fromEntries(Object.entries(data).map(([key, v]) => [key, Buffer.from(v).toString("base64")]));
    return ensure<V1Secret>({
      read: () => k.core.readNamespacedSecret({ name: i.name, namespace: ns.name }),
      create: (body) => k.core.createNamespacedSecret({ namespace: ns.name, body }),
      replace: (body) => k.core.replaceNamespacedSecret({ name: i.name, namespace: ns.name, body }),
      desired: { metadata: meta(i.name, i.id, i.generation, h, ns.name), type: i.type, data: b64 },
      same: (a) =>
        a.type === i.type &&
        Object.keys(a.data ?? {}).length === Object.keys(b64).length &&
        Object.entries(b64).every(([key, v]) => a.data?.[key] === v),
      adopt: false,
      what: `Secret ${i.name}`,
    });
  }
  const data = JSON.parse(i.data) as Record<string, string>;
  return ensure({
    read: () => k.core.readNamespacedConfigMap({ name: i.name, namespace: ns.name }),
    create: (body) => k.core.createNamespacedConfigMap({ namespace: ns.name, body }),
    replace: (body) => k.core.replaceNamespacedConfigMap({ name: i.name, namespace: ns.name, body }),
    desired: { metadata: meta(i.name, i.id, i.generation, h, ns.name), data },
    same: (a) =>
      Object.keys(a.data ?? {}).length === Object.keys(data).length &&
      Object.entries(data).every(([key, v]) => a.data?.[key] === v),
    adopt: false,
    what: `ConfigMap ${i.name}`,
  });
}

export async function removeItem(k: NsKube, ns: Namespace, i: NamespaceItem): Promise<void> {
  if (i.kind === "secret")
    await deleteIfManaged(
      () => k.core.readNamespacedSecret({ name: i.name, namespace: ns.name }),
      () => k.core.deleteNamespacedSecret({ name: i.name, namespace: ns.name }),
    );
  else
    await deleteIfManaged(
      () => k.core.readNamespacedConfigMap({ name: i.name, namespace: ns.name }),
      () => k.core.deleteNamespacedConfigMap({ name: i.name, namespace: ns.name }),
    );
}

export const grantObjectName = (g: NamespaceGrant) => `nuage-grant-${g.id}`;

export async function ensureGrant(k: NsKube, ns: Namespace, g: NamespaceGrant, email: string): Promise<Outcome> {
  const name = grantObjectName(g);
  const roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: GRANT_CLUSTER_ROLES[g.role] };
  const subjects = [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: email }];
  return ensure<V1RoleBinding>({
    read: () => k.rbac.readNamespacedRoleBinding({ name, namespace: ns.name }),
    create: (body) => k.rbac.createNamespacedRoleBinding({ namespace: ns.name, body }),
    replace: async (body) => {
      // roleRef is immutable: a changed one means delete and create.
      await k.rbac.deleteNamespacedRoleBinding({ name, namespace: ns.name });
      const { resourceVersion: _rv, ...m } = body.metadata ?? {};
      await k.rbac.createNamespacedRoleBinding({ namespace: ns.name, body: { ...body, metadata: m } });
    },
    desired: { metadata: meta(name, g.id, g.generation, hash(g.id, g.role, email), ns.name), roleRef, subjects },
    same: (a) =>
      a.roleRef?.name === roleRef.name &&
      a.subjects?.length === 1 &&
      a.subjects[0]?.kind === "User" &&
      a.subjects[0]?.name === email,
    adopt: false,
    what: `RoleBinding ${name}`,
  });
}

export async function removeGrant(k: NsKube, ns: Namespace, g: NamespaceGrant): Promise<void> {
  const name = grantObjectName(g);
  await deleteIfManaged(
    () => k.rbac.readNamespacedRoleBinding({ name, namespace: ns.name }),
    () => k.rbac.deleteNamespacedRoleBinding({ name, namespace: ns.name }),
  );
}
