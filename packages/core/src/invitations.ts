import { getDb, inOrg, orgWhere, type Tx } from "@nuage/db";
import type { Invitation, Role } from "@nuage/db/types";
import { type Actor, actorUserId, type OrgScope } from "./actor.ts";
import { audit } from "./audit.ts";
import { AppError, notFound } from "./errors.ts";
import { queueMail } from "./mail/outbox.ts";
import { invitationMail } from "./mail/templates.ts";
import { requireRole } from "./roles.ts";
import { hashToken, randomToken } from "./secrets.ts";
import { mutate } from "./tx.ts";

export const INVITATION_TTL_MS = 7 * 24 * 3600_000;
export type InvitationStatus = "valid" | "expired" | "revoked" | "accepted";

export function invitationStatus(inv: Pick<Invitation, "acceptedAt" | "revokedAt" | "expiresAt">): InvitationStatus {
  if (inv.acceptedAt) return "accepted";
  if (inv.revokedAt) return "revoked";
  if (inv.expiresAt <= new Date()) return "expired";
  return "valid";
}

export function findInvitationByToken(token: string) {
  return getDb().invitation.findUnique({ where: { tokenHash: hashToken(token) }, include: { org: true } });
}

function view(inv: Omit<Invitation, "tokenHash">) {
  return {
    id: inv.id,
    email: inv.email,
    role: inv.role,
    status: invitationStatus(inv),
    expiresAt: inv.expiresAt,
    createdAt: inv.createdAt,
  };
}

export async function listInvitations(orgId: string) {
  const rows = await getDb().invitation.findMany({ where: orgWhere(orgId), orderBy: { createdAt: "desc" }, take: 200 });
  return rows.map(view);
}

/** Creates an invitation and queues its e-mail. Returns the raw token too (only for the caller's mail/tests). */
export async function createInvitation(scope: OrgScope, input: { email: string; role: Role }) {
  requireRole(scope.role, "admin", "invite members");
  if (input.role === "owner" && scope.role !== "owner") {
    throw new AppError("FORBIDDEN", `Your role (${scope.role}) cannot invite owners`, { field: "role" });
  }
  const email = input.email.trim().toLowerCase();
  const db = getDb();
  const member = await db.membership.findFirst({
    where: orgWhere(scope.orgId, { user: { email } }),
    select: { id: true },
  });
  if (member) throw new AppError("CONFLICT", "This person is already a member of the organization", { field: "email" });
  const token = randomToken();
  const inviterId = actorUserId(scope.actor) ?? (scope.actor.type === "token" ? scope.actor.createdById : null) ?? null;
  const inviter = inviterId ? await db.user.findUnique({ where: { id: inviterId }, select: { name: true } }) : null;
  const invitation = await mutate(async (tx, after) => {
    const org = await tx.org.findUniqueOrThrow({ where: { id: scope.orgId } });
    // A new invitation to the same address replaces the pending one.
    await tx.invitation.updateMany({
      where: orgWhere(scope.orgId, { email, acceptedAt: null, revokedAt: null }),
      data: { revokedAt: new Date() },
    });
    const inv = await tx.invitation.create({
      data: {
        orgId: scope.orgId,
        email,
        role: input.role,
        tokenHash: hashToken(token),
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
        invitedById: inviterId,
      },
    });
    await queueMail(
      tx,
      after,
      invitationMail(email, org.name, inviter?.name ?? "An administrator", input.role, token),
      scope.orgId,
    );
    await audit(tx, scope.actor, {
      orgId: scope.orgId,
      action: "member.invite",
      targetType: "invitation",
      targetId: inv.id,
      metadata: { email, role: input.role },
    });
    return inv;
  });
  return { invitation: view(invitation), token };
}

export async function revokeInvitation(scope: OrgScope, id: string) {
  requireRole(scope.role, "admin", "revoke invitations");
  return mutate(async (tx) => {
    const inv = await tx.invitation.findFirst({ where: inOrg(scope.orgId, id) });
    if (!inv) throw notFound("Invitation");
    const status = invitationStatus(inv);
    if (status === "accepted") throw new AppError("BAD_REQUEST", "This invitation was already accepted");
    if (status === "revoked") return view(inv);
    const updated = await tx.invitation.update({ where: inOrg(scope.orgId, id), data: { revokedAt: new Date() } });
    await audit(tx, scope.actor, {
      orgId: scope.orgId,
      action: "invitation.revoke",
      targetType: "invitation",
      targetId: id,
    });
    return view(updated);
  });
}

export function invitationProblem(status: "expired" | "revoked" | "accepted"): AppError {
  const msg = {
    expired: "This invitation has expired; ask for a new one",
    revoked: "This invitation was revoked",
    accepted: "This invitation was already accepted",
  }[status];
  return new AppError("BAD_REQUEST", msg, { field: "token" });
}

/** Public view of an invitation link. */
export async function getInvitationByToken(token: string) {
  const inv = await findInvitationByToken(token);
  if (!inv) throw new AppError("NOT_FOUND", "This invitation link is invalid", { field: "token" });
  return {
    orgName: inv.org.name,
    email: inv.email,
    role: inv.role,
    status: invitationStatus(inv),
    expiresAt: inv.expiresAt,
  };
}

export async function acceptInvitationInTx(
  tx: Tx,
  inv: Pick<Invitation, "id" | "orgId" | "role">,
  userId: string,
  actor: Actor,
): Promise<string> {
  const claimed = await tx.invitation.updateMany({
    where: { id: inv.id, acceptedAt: null, revokedAt: null },
    data: { acceptedAt: new Date() },
  });
  if (claimed.count !== 1) throw new AppError("BAD_REQUEST", "This invitation is no longer valid", { field: "token" });
  const existing = await tx.membership.findUnique({ where: { orgId_userId: { orgId: inv.orgId, userId } } });
  if (!existing) await tx.membership.create({ data: { orgId: inv.orgId, userId, role: inv.role } });
  await audit(tx, actor, {
    orgId: inv.orgId,
    action: "member.join",
    targetType: "user",
    targetId: userId,
    metadata: { invitationId: inv.id, role: inv.role },
  });
  return inv.orgId;
}

/** Accepts an invitation for the signed-in user, whose e-mail must be the invited one. */
export async function acceptInvitation(userId: string, token: string, meta: { ip?: string | null } = {}) {
  const inv = await findInvitationByToken(token);
  if (!inv) throw new AppError("NOT_FOUND", "This invitation link is invalid", { field: "token" });
  const status = invitationStatus(inv);
  if (status !== "valid") {
    throw invitationProblem(status);
  }
  const user = await getDb().user.findUnique({ where: { id: userId } });
  if (!user) throw new AppError("UNAUTHORIZED", "Your session has ended; sign in again");
  if (user.email !== inv.email) {
    throw new AppError("FORBIDDEN", `This invitation was sent to ${inv.email}; you are signed in as ${user.email}`);
  }
  const orgId = await mutate(async (tx) => {
    const id = await acceptInvitationInTx(tx, inv, userId, { type: "user", userId, ip: meta.ip });
    if (!user.emailVerified) await tx.user.update({ where: { id: userId }, data: { emailVerified: new Date() } });
    return id;
  });
  return { orgId, orgName: inv.org.name };
}
