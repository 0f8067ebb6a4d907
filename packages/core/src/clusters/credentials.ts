// Kubeconfigs: a client certificate per user signed by the cluster's CA (through the provider),
// recorded (serial, user, issued, expiry) and revocable. The private key is never stored.
import { renderKubeconfig } from "@nuage/crypto";
import { getDb, inOrg, orgWhere } from "@nuage/db";
import type { Role } from "@nuage/db/types";
import { getProvider } from "@nuage/providers";
import type { OrgScope } from "../actor.ts";
import { audit } from "../audit.ts";
import { AppError } from "../errors.ts";
import { isScopedIn } from "../namespaces/access.ts";
import { SCOPED_GROUP } from "../namespaces/grants.ts";
import { requireRole } from "../roles.ts";
import { mutate } from "../tx.ts";

/** Org role → the Kubernetes group bound by the add-ons step (see ROLE_BINDINGS). */
export const ROLE_GROUPS: Record<Role, string | null> = {
  owner: "nuage:owners",
  admin: "nuage:admins",
  member: "nuage:members",
  viewer: "nuage:viewers",
  billing: null,
};

/** Group → ClusterRole, created as ClusterRoleBindings in every cluster. */
export const ROLE_BINDINGS: { group: string; clusterRole: string }[] = [
  { group: "nuage:owners", clusterRole: "cluster-admin" },
  { group: "nuage:admins", clusterRole: "cluster-admin" },
  { group: "nuage:members", clusterRole: "edit" },
  { group: "nuage:viewers", clusterRole: "view" },
];

function credentialView(c: {
  id: string;
  clusterId: string;
  userId: string | null;
  subject: string;
  groups: string[];
  serial: string;
  issuedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}) {
  const now = Date.now();
  return {
    id: c.id,
    clusterId: c.clusterId,
    userId: c.userId,
    subject: c.subject,
    groups: c.groups,
    serial: c.serial,
    issuedAt: c.issuedAt,
    expiresAt: c.expiresAt,
    revokedAt: c.revokedAt,
    status: c.revokedAt
      ? ("revoked" as const)
      : c.expiresAt.getTime() <= now
        ? ("expired" as const)
        : ("active" as const),
  };
}
export type CredentialView = ReturnType<typeof credentialView>;

function testMinimumSeconds(): number | null {
  const v = Number(process.env.NUAGE_TEST_MIN_CREDENTIAL_SECONDS);
  return Number.isFinite(v) && v > 0 ? v : null;
}

export async function issueKubeconfig(scope: OrgScope, input: { id: string; ttlHours: number; ttlSeconds?: number }) {
  requireRole(scope.role, "viewer", "download kubeconfigs");
  let group = ROLE_GROUPS[scope.role];
  if (!group) throw new AppError("FORBIDDEN", `Your role (${scope.role}) cannot download kubeconfigs`);
  const db = getDb();
  const cluster = await db.cluster.findFirst({ where: inOrg(scope.orgId, input.id) });
  if (!cluster || cluster.deletedAt) throw new AppError("NOT_FOUND", "Cluster not found");
  if (!["running", "updating", "degraded"].includes(cluster.status)) {
    throw new AppError("CONFLICT", `The cluster is ${cluster.status}: a kubeconfig is available once it is running`);
  }
  const org = await db.org.findUniqueOrThrow({ where: { id: scope.orgId } });
  if (input.ttlHours > org.maxKubeconfigTtlHours) {
    throw new AppError(
      "BAD_REQUEST",
      `ttlHours must be at most ${org.maxKubeconfigTtlHours} (your organization's limit)`,
      { field: "ttlHours" },
    );
  }
  let ttlSeconds = input.ttlHours * 3600;
  const min = testMinimumSeconds();
  if (input.ttlSeconds !== undefined) {
    if (min === null || input.ttlSeconds < min) {
      throw new AppError("BAD_REQUEST", "ttlSeconds is for tests only; use ttlHours", { field: "ttlSeconds" });
    }
    ttlSeconds = input.ttlSeconds;
  }
  let subject: string;
  let userId: string | null = null;
  if (scope.actor.type === "user") {
    const user = await db.user.findUniqueOrThrow({ where: { id: scope.actor.userId } });
    subject = user.email;
    userId = user.id;
  } else if (scope.actor.type === "token") {
    subject = `token:${scope.actor.tokenId}`;
    userId = scope.actor.createdById ?? null;
  } else {
    throw new AppError("FORBIDDEN", "Kubeconfigs are issued to users and API tokens only");
  }
  // A member/viewer with namespace grants in this cluster gets no cluster-wide group (issue 5):
  // only the RoleBindings of their namespaces apply.
  if (
    scope.actor.type === "user" &&
    userId &&
    (scope.role === "member" || scope.role === "viewer") &&
    (await isScopedIn(scope.orgId, userId, cluster.id))
  )
    group = SCOPED_GROUP;
  const issued = await getProvider().issueCredential(cluster.id, { user: subject, groups: [group], ttlSeconds });
  const row = await mutate(async (tx) => {
    const r = await tx.clusterCredential.create({
      data: {
        orgId: scope.orgId,
        clusterId: cluster.id,
        userId,
        subject,
        groups: [group],
        serial: issued.serialNumber.toLowerCase(),
        expiresAt: issued.notAfter,
      },
    });
    await audit(tx, scope.actor, {
      orgId: scope.orgId,
      action: "cluster.kubeconfig",
      targetType: "cluster",
      targetId: cluster.id,
      metadata: { credentialId: r.id, serial: r.serial, expiresAt: r.expiresAt.toISOString() },
    });
    return r;
  });
  const kubeconfig = renderKubeconfig({
    clusterName: cluster.name,
    server: issued.endpoint,
    caCertPem: issued.caCertPem,
    user: subject,
    clientCertPem: issued.clientCertPem,
    clientKeyPem: issued.clientKeyPem,
  });
  return { kubeconfig, credential: credentialView(row) };
}

export async function listCredentials(scope: OrgScope, clusterId: string) {
  const cluster = await getDb().cluster.findFirst({ where: inOrg(scope.orgId, clusterId), select: { id: true } });
  if (!cluster) throw new AppError("NOT_FOUND", "Cluster not found");
  // Owners and admins see everyone's credentials; others see their own.
  const own =
    scope.role === "owner" || scope.role === "admin"
      ? {}
      : { userId: scope.actor.type === "user" ? scope.actor.userId : "-" };
  const rows = await getDb().clusterCredential.findMany({
    where: orgWhere(scope.orgId, { clusterId, ...own }),
    orderBy: { issuedAt: "desc" },
    take: 500,
  });
  return rows.map(credentialView);
}

/** Revokes at the control plane (its revocation file), then records it. Owners/admins or the holder. */
export async function revokeCredential(scope: OrgScope, id: string) {
  const db = getDb();
  const row = await db.clusterCredential.findFirst({ where: inOrg(scope.orgId, id) });
  if (!row) throw new AppError("NOT_FOUND", "Credential not found");
  const self = scope.actor.type === "user" && row.userId === scope.actor.userId;
  if (!self) requireRole(scope.role, "admin", "revoke other people's credentials");
  if (row.revokedAt) return credentialView(row);
  const cluster = await db.cluster.findFirst({ where: inOrg(scope.orgId, row.clusterId) });
  if (cluster && !cluster.deletedAt) await getProvider().revokeCredential(row.clusterId, row.serial);
  const updated = await mutate(async (tx) => {
    const u = await tx.clusterCredential.update({
      where: inOrg(scope.orgId, id),
      data: { revokedAt: new Date(), revokedById: scope.actor.type === "user" ? scope.actor.userId : null },
    });
    await audit(tx, scope.actor, {
      orgId: scope.orgId,
      action: "cluster.credential.revoke",
      targetType: "cluster_credential",
      targetId: id,
      metadata: { serial: row.serial },
    });
    return u;
  });
  return credentialView(updated);
}

export async function getCredentialPolicy(orgId: string) {
  const org = await getDb().org.findUniqueOrThrow({ where: { id: orgId } });
  return { maxTtlHours: org.maxKubeconfigTtlHours };
}

/** Org admins cap the lifetime of kubeconfigs (1 h … 720 h). */
export async function setCredentialPolicy(scope: OrgScope, maxTtlHours: number) {
  requireRole(scope.role, "admin", "change the kubeconfig lifetime limit");
  await mutate(async (tx) => {
    await tx.org.update({ where: { id: scope.orgId }, data: { maxKubeconfigTtlHours: maxTtlHours } });
    await audit(tx, scope.actor, {
      orgId: scope.orgId,
      action: "org.kubeconfig-policy",
      targetType: "org",
      targetId: scope.orgId,
      metadata: { maxTtlHours },
    });
  });
  return getCredentialPolicy(scope.orgId);
}
