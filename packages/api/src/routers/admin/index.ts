import { listAllOrgs } from "@nuage/core";
import { z } from "zod";
import { zDate } from "../schemas.ts";
import { platformAdminProcedure, router } from "../trpc.ts";

export const adminRouter = router({
  /** Every organization with its member count (platform admins only). */
  listOrgs: platformAdminProcedure
    .output(z.array(z.object({ id: z.string(), name: z.string(), members: z.number().int(), createdAt: zDate })))
    .query(() => listAllOrgs()),
});
