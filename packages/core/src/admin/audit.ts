// The platform-wide audit log for operators: every tenant's and operator's actions, filterable,
// and a CSV export of the same filter.
import { getDb, type Prisma } from "@nuage/db";
import { z } from "zod";
import { AppError } from "../errors.ts";

export const ZAdminAuditFilter = z.object({
  orgId: z.string().trim().max(100).optional(),
  /** A user's e-mail (substring) or an actor type (system, operator-cli, token, user). */
  actor: z.string().trim().max(200).optional(),
  /** Exact action, or a prefix ending in "." or "*" (e.g. "admin.", "cluster.*"). */
  action: z.string().trim().max(100).optional(),
  from: z.coerce.date({ error: "from: not a date" }).optional(),
  to: z.coerce.date({ error: "to: not a date" }).optional(),
  cursor: z.string().optional(),
  limit: z.number().int().min(1).max(200).optional(),
});
export type TAdminAuditFilter = z.input<typeof ZAdminAuditFilter>;

const ACTOR_TYPES = ["user", "token", "operator-cli", "system"];

async function whereOf(f: z.infer<typeof ZAdminAuditFilter>): Promise<Prisma.AuditLogWhereInput> {
  const where: Prisma.AuditLogWhereInput = {};
  if (f.orgId) where.orgId = f.orgId;
  if (f.action) {
    const a = f.action.replace(/\*$/, "");
    where.action = f.action.endsWith("*") || f.action.endsWith(".") ? { startsWith: a } : f.action;
  }
  if (f.from || f.to) where.createdAt = { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lte: f.to } : {}) };
  if (f.actor) {
    if (ACTOR_TYPES.includes(f.actor)) where.actorType = f.actor;
    else {
      const users = await getDb().user.findMany({
        where: { email: { contains: f.actor.toLowerCase() } },
        select: { id: true },
        take: 100,
      });
      where.actorUserId = { in: users.map((u) => u.id) };
    }
  }
  if (f.from && f.to && f.from > f.to) throw new AppError("BAD_REQUEST", "to: must be after from", { field: "to" });
  return where;
}

async function rows(where: Prisma.AuditLogWhereInput, take: number, cursor?: string) {
  const db = getDb();
  const list = await db.auditLog.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
  });
  const userIds = [...new Set(list.map((r) => r.actorUserId).filter((x): x is string => !!x))];
  const orgIds = [...new Set(list.map((r) => r.orgId).filter((x): x is string => !!x))];
  const [users, orgs] = await Promise.all([
    userIds.length ? db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, email: true } }) : [],
    orgIds.length ? db.org.findMany({ where: { id: { in: orgIds } }, select: { id: true, name: true } }) : [],
  ]);
  const email = new Map(users.map((u) => [u.id, u.email]));
  const org = new Map(orgs.map((o) => [o.id, o.name]));
  return list.map((r) => ({
    id: r.id,
    createdAt: r.createdAt,
    orgId: r.orgId,
    orgName: r.orgId ? (org.get(r.orgId) ?? null) : null,
    actorType: r.actorType,
    actorEmail: r.actorUserId ? (email.get(r.actorUserId) ?? null) : null,
    actorTokenId: r.actorTokenId,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    ip: r.ip,
  }));
}

export async function listAllAudit(input: TAdminAuditFilter) {
  const f = ZAdminAuditFilter.parse(input);
  const limit = f.limit ?? 50;
  if (f.cursor && !(await getDb().auditLog.findUnique({ where: { id: f.cursor }, select: { id: true } }))) {
    throw new AppError("NOT_FOUND", "Audit cursor not found", { field: "cursor" });
  }
  const list = await rows(await whereOf(f), limit + 1, f.cursor);
  const page = list.slice(0, limit);
  return { items: page, nextCursor: list.length > limit ? (page.at(-1)?.id ?? null) : null };
}

/** A CSV cell: quoted, and a leading =, +, -, @ neutralised so a spreadsheet never runs it. */
export function csvCell(v: unknown): string {
  let s = v instanceof Date ? v.toISOString() : v === null || v === undefined ? "" : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

export const AUDIT_CSV_MAX_ROWS = 10_000;

export async function exportAuditCsv(input: TAdminAuditFilter): Promise<string> {
  const f = ZAdminAuditFilter.parse({ ...input, cursor: undefined, limit: undefined });
  const list = await rows(await whereOf(f), AUDIT_CSV_MAX_ROWS);
  const cols = [
    "createdAt",
    "orgId",
    "orgName",
    "actorType",
    "actorEmail",
    "actorTokenId",
    "action",
    "targetType",
    "targetId",
    "ip",
  ] as const;
  const lines = [cols.join(",")];
  for (const r of list) lines.push(cols.map((c) => csvCell(r[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
