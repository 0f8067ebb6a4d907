import { createOrg, getOrg, updateOrg, ZOrgName } from "@nuage/core";
import { z } from "zod";
import { ZOrgOutput } from "../schemas.ts";
import { orgProcedure, orgRoleProcedure, router, userProcedure } from "../trpc.ts";

export const ZUpdateOrgInput = z.object({ name: ZOrgName });
export const ZCreateOrgInput = z.object({ name: ZOrgName });

export const orgRouter = router({
  get: orgProcedure
    .meta({
      openapi: { method: "GET", path: "/org", protect: true, tags: ["org"], summary: "The current organization" },
    })
    .input(z.void())
    .output(ZOrgOutput)
    .query(async ({ ctx }) => {
      const org = await getOrg(ctx.org.id);
      return { ...org, role: ctx.org.role };
    }),
  update: orgRoleProcedure("admin", "rename the organization")
    .input(ZUpdateOrgInput)
    .mutation(async ({ ctx, input }) => ({ ...(await updateOrg(ctx.scope, input)), role: ctx.org.role })),
  /** Creates another org owned by the signed-in user (switch to it with the nuage_org cookie). */
  create: userProcedure
    .input(ZCreateOrgInput)
    .mutation(({ ctx, input }) => createOrg(ctx.user.id, input.name, { ip: ctx.ip })),
});
