// Secrets and ConfigMaps of a namespace. Secret values are sealed with the org's data key before
// they reach the database and are never returned, except by `revealSecret` (org admin +
// re-authentication within 10 minutes, audited).

import { getDb, inOrg, isUniqueViolation } from "@nuage/db";
import type { NamespaceItem } from "@nuage/db/types";
import type { OrgScope } from "../actor.ts";
import { audit } from "../audit.ts";
import { AppError } from "../errors.ts";
import { requireRole } from "../roles.ts";
import { mutate } from "../tx.ts";
import { openForOrg, sealForOrg } from "./datakeys.ts";
import { createId } from "./ids.ts";
import { loadNamespace } from "./namespaces.ts";
import { reauthExpiry } from "./reauth.ts";
import { MAX_DATA_BYTES, type TSecretContent } from "./schemas.ts";
import { enqueueSync, syncView, waitingMessage } from "./sync.ts";

export const SECRET_TYPES = {
  generic: "Opaque",
  "docker-registry": "kubernetes.io/dockerconfigjson",
  tls: "kubernetes.io/tls",
} as const;

/** The Kubernetes `stringData` of a secret's content. */
export function secretData(content: TSecretContent): Record<string, string> {
  if (content.type === "generic") return content.data;
  if (content.type === "tls") return { "tls.crt": content.cert, "tls.key": content.key };
  const auth = Buffer.from(`${content.username}:${content.password}`).toString("base64");
  return {
    ".dockerconfigjson": JSON.stringify({
      auths: {
        [content.server]: {
          username: content.username,
          password: content.password,
          ...(content.email ? { email: content.email } : {}),
          auth,
        },
      },
    }),
  };
}

function sizeOf(data: Record<string, string>, field: string): number {
  const size = Object.entries(data).reduce((s, [k, v]) => s + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (size > MAX_DATA_BYTES)
    throw new AppError(
      "BAD_REQUEST",
      `${field}: ${(size / 1048576).toFixed(2)} MiB is over the 1 MiB limit of a Kubernetes object`,
      { field },
    );
  return size;
}

export function itemView(i: NamespaceItem) {
  return {
    id: i.id,
    namespaceId: i.namespaceId,
    kind: i.kind,
    name: i.name,
    type: i.type,
    keys: i.keys,
    size: i.size,
    ...syncView(i),
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
    // ConfigMap values are not secret: shown. Secret values never leave through views.
    data: i.kind === "configmap" ? (JSON.parse(i.data) as Record<string, string>) : null,
  };
}
export type ItemView = ReturnType<typeof itemView>;

async function clusterStatus(orgId: string, clusterId: string) {
  const c = await getDb().cluster.findFirst({ where: inOrg(orgId, clusterId), select: { status: true } });
  return c?.status ?? "deleted";
}

export async function listItems(scope: OrgScope, namespaceId: string) {
  const n = await loadNamespace(scope, namespaceId, "read", "read namespaces");
  const rows = await getDb().namespaceItem.findMany({
    where: { orgId: scope.orgId, namespaceId: n.id },
    orderBy: [{ kind: "asc" }, { name: "asc" }],
  });
  return rows.map(itemView);
}

async function loadItem(scope: OrgScope, id: string, right: "read" | "write", what: string) {
  const i = await getDb().namespaceItem.findFirst({ where: inOrg(scope.orgId, id) });
  if (!i) throw new AppError("NOT_FOUND", "Secret or ConfigMap not found");
  const n = await loadNamespace(scope, i.namespaceId, right, what);
  return { item: i, ns: n };
}

async function create(
  scope: OrgScope,
  namespaceId: string,
  kind: "secret" | "configmap",
  name: string,
  type: string,
  data: Record<string, string>,
) {
  const n = await loadNamespace(scope, namespaceId, "write", `create ${kind === "secret" ? "secrets" : "configmaps"}`);
  if (n.deletingAt) throw new AppError("CONFLICT", "The namespace is being deleted");
  const size = sizeOf(data, "data");
  const id = createId();
  const stored = kind === "secret" ? await sealForOrg(scope.orgId, id, data) : JSON.stringify(data);
  const status = await clusterStatus(scope.orgId, n.clusterId);
  try {
    const row = await mutate(async (tx, after) => {
      const r = await tx.namespaceItem.create({
        data: {
          id,
          orgId: scope.orgId,
          namespaceId: n.id,
          kind,
          name,
          type,
          keys: Object.keys(data).sort(),
          data: stored,
          size,
          syncMessage: waitingMessage(status),
          createdById: scope.actor.type === "user" ? scope.actor.userId : null,
        },
      });
      await audit(tx, scope.actor, {
        orgId: scope.orgId,
        action: `namespace.${kind}.create`,
        targetType: `namespace_${kind}`,
        targetId: r.id,
        metadata: { namespace: n.name, name, keys: r.keys },
      });
      enqueueSync(after, "item", r.id, r.generation);
      return r;
    });
    return itemView(row);
  } catch (e) {
    if (isUniqueViolation(e))
      throw new AppError(
        "CONFLICT",
        `name: ${n.name} already has a ${kind === "secret" ? "Secret" : "ConfigMap"} named ${name}`,
        {
          field: "name",
        },
      );
    throw e;
  }
}

async function update(
  scope: OrgScope,
  id: string,
  kind: "secret" | "configmap",
  type: string,
  data: Record<string, string>,
) {
  const { item, ns } = await loadItem(scope, id, "write", `change ${kind === "secret" ? "secrets" : "configmaps"}`);
  if (item.kind !== kind) throw new AppError("NOT_FOUND", `${kind === "secret" ? "Secret" : "ConfigMap"} not found`);
  if (item.deletingAt) throw new AppError("CONFLICT", "It is being deleted");
  const size = sizeOf(data, "data");
  const stored = kind === "secret" ? await sealForOrg(scope.orgId, item.id, data) : JSON.stringify(data);
  const status = await clusterStatus(scope.orgId, ns.clusterId);
  const row = await mutate(async (tx, after) => {
    const r = await tx.namespaceItem.update({
      where: inOrg(scope.orgId, item.id),
      data: {
        type,
        keys: Object.keys(data).sort(),
        data: stored,
        size,
        generation: { increment: 1 },
        syncStatus: "pending",
        syncMessage: waitingMessage(status),
      },
    });
    await audit(tx, scope.actor, {
      orgId: scope.orgId,
      action: `namespace.${kind}.update`,
      targetType: `namespace_${kind}`,
      targetId: r.id,
      metadata: { namespace: ns.name, name: r.name, keys: r.keys, version: r.generation },
    });
    enqueueSync(after, "item", r.id, r.generation);
    return r;
  });
  return itemView(row);
}

export function createSecret(scope: OrgScope, input: { namespaceId: string; name: string; content: TSecretContent }) {
  return create(
    scope,
    input.namespaceId,
    "secret",
    input.name,
    SECRET_TYPES[input.content.type],
    secretData(input.content),
  );
}
export function updateSecret(scope: OrgScope, input: { id: string; content: TSecretContent }) {
  return update(scope, input.id, "secret", SECRET_TYPES[input.content.type], secretData(input.content));
}
export function createConfigMap(
  scope: OrgScope,
  input: { namespaceId: string; name: string; data: Record<string, string> },
) {
  return create(scope, input.namespaceId, "configmap", input.name, "", input.data);
}
export function updateConfigMap(scope: OrgScope, input: { id: string; data: Record<string, string> }) {
  return update(scope, input.id, "configmap", "", input.data);
}

export async function deleteItem(scope: OrgScope, id: string) {
  const { item, ns } = await loadItem(scope, id, "write", "delete secrets and configmaps");
  if (item.deletingAt) return itemView(item);
  const status = await clusterStatus(scope.orgId, ns.clusterId);
  const row = await mutate(async (tx, after) => {
    const r = await tx.namespaceItem.update({
      where: inOrg(scope.orgId, item.id),
      data: {
        deletingAt: new Date(),
        generation: { increment: 1 },
        syncStatus: "pending",
        syncMessage: waitingMessage(status),
      },
    });
    await audit(tx, scope.actor, {
      orgId: scope.orgId,
      action: `namespace.${item.kind}.delete`,
      targetType: `namespace_${item.kind}`,
      targetId: item.id,
      metadata: { namespace: ns.name, name: item.name },
    });
    enqueueSync(after, "item", r.id, r.generation);
    return r;
  });
  return itemView(row);
}

/** Org admins only, after re-entering their password (10 minutes); every reveal is audited. */
export async function revealSecret(scope: OrgScope, id: string) {
  const { item, ns } = await loadItem(scope, id, "read", "read secrets");
  if (item.kind !== "secret") throw new AppError("NOT_FOUND", "Secret not found");
  requireRole(scope.role, "admin", "reveal secret values");
  if (scope.actor.type !== "user")
    throw new AppError("FORBIDDEN", "Secret values are revealed to signed-in users only (re-authentication needed)");
  const until = await reauthExpiry(scope.actor.userId);
  if (!until)
    throw new AppError(
      "FORBIDDEN",
      "Confirm your password first: revealing a secret needs a sign-in from the last 10 minutes",
      {
        field: "password",
      },
    );
  const data = await openForOrg<Record<string, string>>(scope.orgId, item.id, item.data);
  await mutate((tx) =>
    audit(tx, scope.actor, {
      orgId: scope.orgId,
      action: "namespace.secret.reveal",
      targetType: "namespace_secret",
      targetId: item.id,
      metadata: { namespace: ns.name, name: item.name, version: item.generation },
    }),
  );
  return { id: item.id, name: item.name, version: item.generation, data };
}
