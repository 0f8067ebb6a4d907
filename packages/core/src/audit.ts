import { type Db, orgWhere, type Prisma, type Tx } from "@nuage/db";
import { type Actor, actorIp } from "./actor.ts";
import { AppError } from "./errors.ts";

export interface AuditEntry {
  orgId: string | null;
  action: string; // "member.invite", "token.create", ...
  targetType?: string;
  targetId?: string | null;
  metadata?: Prisma.InputJsonValue;
}

/** Writes one audit row. Call it with the mutation's transaction client. */
export async function audit(tx: Tx, actor: Actor, entry: AuditEntry): Promise<void> {
  await tx.auditLog.create({
    data: {
      orgId: entry.orgId,
      actorType: actor.type,
      actorUserId: actor.type === "user" ? actor.userId : null,
      actorTokenId: actor.type === "token" ? actor.tokenId : null,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      ip: actorIp(actor),
      metadata: entry.metadata,
    },
  });
}

export interface AuditListInput {
  cursor?: string;
  limit?: number;
  action?: string;
}

export async function listAudit(db: Db, orgId: string, input: AuditListInput) {
  const limit = Math.min(Math.max(input.limit ?? 50, 1), 200);
  if (input.cursor) {
    const at = await db.auditLog.findFirst({ where: orgWhere(orgId, { id: input.cursor }), select: { id: true } });
    if (!at) throw new AppError("NOT_FOUND", "Audit cursor not found", { field: "cursor" });
  }
  const rows = await db.auditLog.findMany({
    where: orgWhere(orgId, input.action ? { action: input.action } : {}),
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, limit);
  const userIds = [...new Set(page.map((r) => r.actorUserId).filter((x): x is string => !!x))];
  const tokenIds = [...new Set(page.map((r) => r.actorTokenId).filter((x): x is string => !!x))];
  const [users, tokens] = await Promise.all([
    userIds.length
      ? db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, email: true, name: true } })
      : [],
    tokenIds.length
      ? db.apiToken.findMany({ where: orgWhere(orgId, { id: { in: tokenIds } }), select: { id: true, name: true } })
      : [],
  ]);
  const userById = new Map(users.map((u) => [u.id, u]));
  const tokenById = new Map(tokens.map((t) => [t.id, t]));
  return {
    items: page.map((r) => ({
      id: r.id,
      action: r.action,
      actorType: r.actorType,
      actorUserId: r.actorUserId,
      actorEmail: r.actorUserId ? (userById.get(r.actorUserId)?.email ?? null) : null,
      actorTokenId: r.actorTokenId,
      actorTokenName: r.actorTokenId ? (tokenById.get(r.actorTokenId)?.name ?? null) : null,
      targetType: r.targetType,
      targetId: r.targetId,
      ip: r.ip,
      createdAt: r.createdAt,
    })),
    nextCursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}
