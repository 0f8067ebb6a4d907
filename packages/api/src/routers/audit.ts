import { listAudit } from "@nuage/core";
import { getDb } from "@nuage/db";
import { z } from "zod";
import { ZAuditItem } from "../schemas.ts";
import { orgRoleProcedure, router } from "../trpc.ts";

export const ZAuditListInput = z
  .object({
    cursor: z.string().min(1).optional(),
    limit: z.coerce
      .number({ error: "limit must be a number" })
      .int()
      .min(1, "limit must be at least 1")
      .max(200, "limit must be at most 200")
      .optional(),
    action: z.string().trim().min(1).max(100).optional(),
  })
  .optional();

export const auditRouter = router({
  list: orgRoleProcedure("admin", "read the audit log")
    .meta({
      openapi: { method: "GET", path: "/audit", protect: true, tags: ["audit"], summary: "Audit log, newest first" },
    })
    .input(ZAuditListInput)
    .output(z.object({ items: z.array(ZAuditItem), nextCursor: z.string().nullable() }))
    .query(({ ctx, input }) => listAudit(getDb(), ctx.org.id, input ?? {})),
});
