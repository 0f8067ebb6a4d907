// Announcements: one banner to every tenant (maintenance windows, incidents).
import { getDb } from "@nuage/db";
import { z } from "zod";
import type { Actor } from "../actor.ts";
import { actorUserId } from "../actor.ts";
import { audit } from "../audit.ts";
import { AppError } from "../errors.ts";
import { mutate } from "../tx.ts";

export const ZAnnouncementInput = z
  .object({
    message: z
      .string({ error: "message: write the text tenants will see" })
      .trim()
      .min(3, "message: write at least 3 characters")
      .max(500, "message: at most 500 characters"),
    level: z.enum(["info", "warning"], { error: "level: choose info or warning" }).default("info"),
    startsAt: z.coerce.date({ error: "startsAt: not a date" }).optional(),
    endsAt: z.coerce.date({ error: "endsAt: not a date" }).nullable().optional(),
  })
  .refine((v) => !v.endsAt || !v.startsAt || v.endsAt > v.startsAt, {
    message: "endsAt: must be after the start",
    path: ["endsAt"],
  });
export type TAnnouncementInput = z.input<typeof ZAnnouncementInput>;

function view(a: {
  id: string;
  level: string;
  message: string;
  startsAt: Date;
  endsAt: Date | null;
  archivedAt: Date | null;
  createdAt: Date;
}) {
  const now = Date.now();
  const active = !a.archivedAt && a.startsAt.getTime() <= now && (!a.endsAt || a.endsAt.getTime() > now);
  return {
    id: a.id,
    level: a.level as "info" | "warning",
    message: a.message,
    startsAt: a.startsAt,
    endsAt: a.endsAt,
    archivedAt: a.archivedAt,
    createdAt: a.createdAt,
    state: a.archivedAt
      ? ("archived" as const)
      : active
        ? ("active" as const)
        : a.startsAt.getTime() > now
          ? ("scheduled" as const)
          : ("ended" as const),
  };
}
export type AnnouncementView = ReturnType<typeof view>;

export async function listAnnouncements() {
  const rows = await getDb().announcement.findMany({ orderBy: { createdAt: "desc" }, take: 200 });
  return rows.map(view);
}

/** What tenants see now (newest first). */
export async function activeAnnouncements() {
  const now = new Date();
  const rows = await getDb().announcement.findMany({
    where: { archivedAt: null, startsAt: { lte: now }, OR: [{ endsAt: null }, { endsAt: { gt: now } }] },
    orderBy: { startsAt: "desc" },
    take: 5,
  });
  return rows.map((a) => ({ id: a.id, level: a.level as "info" | "warning", message: a.message }));
}

export async function createAnnouncement(actor: Actor, input: TAnnouncementInput) {
  const v = ZAnnouncementInput.parse(input);
  const row = await mutate(async (tx) => {
    const a = await tx.announcement.create({
      data: {
        message: v.message,
        level: v.level,
        startsAt: v.startsAt ?? new Date(),
        endsAt: v.endsAt ?? null,
        createdById: actorUserId(actor),
      },
    });
    await audit(tx, actor, {
      orgId: null,
      action: "admin.announcement.create",
      targetType: "announcement",
      targetId: a.id,
      metadata: { level: v.level },
    });
    return a;
  });
  return view(row);
}

export async function archiveAnnouncement(actor: Actor, id: string) {
  const row = await mutate(async (tx) => {
    const a = await tx.announcement.findUnique({ where: { id } });
    if (!a) throw new AppError("NOT_FOUND", "Announcement not found");
    if (a.archivedAt) return a;
    const done = await tx.announcement.update({ where: { id }, data: { archivedAt: new Date() } });
    await audit(tx, actor, {
      orgId: null,
      action: "admin.announcement.archive",
      targetType: "announcement",
      targetId: id,
    });
    return done;
  });
  return view(row);
}

/** What the portal shows above every page: the org's suspension (with its reason) and announcements. */
export async function portalBanners(orgId: string | null) {
  const [org, announcements] = await Promise.all([
    orgId
      ? getDb().org.findUnique({
          where: { id: orgId },
          select: { suspendedAt: true, suspendedReason: true, suspendedBy: true, deletingAt: true },
        })
      : null,
    activeAnnouncements(),
  ]);
  return {
    suspended: org?.suspendedAt
      ? { since: org.suspendedAt, reason: org.suspendedReason ?? "No reason given", by: org.suspendedBy ?? "operator" }
      : null,
    deleting: Boolean(org?.deletingAt),
    announcements,
  };
}
