// The admin console's procedures (issue 7): platform admins only; anyone else gets NOT_FOUND and
// the attempt is audited (platformAdminProcedure). Thin: the services live in @nuage/core/admin.
import {
  adminOverview,
  archiveAnnouncement,
  createAnnouncement,
  listAllAudit,
  listAllOrgs,
  listAnnouncements,
  ZAdminAuditFilter,
  ZAnnouncementInput,
} from "@nuage/core";
import { z } from "zod";
import { zDate } from "../../schemas.ts";
import { platformAdminProcedure, router } from "../../trpc.ts";
import { adminClustersRouter } from "./clusters.ts";
import { adminOpsRouter } from "./ops.ts";
import { adminTenantsRouter } from "./tenants.ts";
import { actorOf } from "./util.ts";

export const adminRouter = router({
  /** Every organization with its member count (platform admins only). */
  listOrgs: platformAdminProcedure
    .output(z.array(z.object({ id: z.string(), name: z.string(), members: z.number().int(), createdAt: zDate })))
    .query(() => listAllOrgs()),
  overview: platformAdminProcedure.query(() => adminOverview()),
  tenants: adminTenantsRouter,
  clusters: adminClustersRouter,
  ops: adminOpsRouter,
  audit: router({
    list: platformAdminProcedure.input(ZAdminAuditFilter).query(({ input }) => listAllAudit(input)),
  }),
  announcements: router({
    list: platformAdminProcedure.query(() => listAnnouncements()),
    create: platformAdminProcedure
      .input(ZAnnouncementInput)
      .mutation(({ ctx, input }) => createAnnouncement(actorOf(ctx), input)),
    archive: platformAdminProcedure
      .input(z.object({ id: z.string().min(1) }))
      .mutation(({ ctx, input }) => archiveAnnouncement(actorOf(ctx), input.id)),
  }),
});
