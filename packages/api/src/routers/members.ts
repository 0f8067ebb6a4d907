import { leaveOrg, listMembers, removeMember, updateMemberRole, ZRole } from "@nuage/core";
import { z } from "zod";
import { ZMemberOutput } from "../schemas.ts";
import { orgProcedure, orgRoleProcedure, router } from "../trpc.ts";

export const ZUpdateRoleInput = z.object({ userId: z.string().min(1, "userId is required"), role: ZRole });
export const ZRemoveMemberInput = z.object({ userId: z.string().min(1, "userId is required") });

export const membersRouter = router({
  list: orgRoleProcedure("viewer", "see the members")
    .meta({
      openapi: {
        method: "GET",
        path: "/members",
        protect: true,
        tags: ["members"],
        summary: "Members of the organization",
      },
    })
    .input(z.void())
    .output(z.array(ZMemberOutput))
    .query(({ ctx }) => listMembers(ctx.org.id)),
  updateRole: orgRoleProcedure("admin", "change member roles")
    .input(ZUpdateRoleInput)
    .mutation(({ ctx, input }) => updateMemberRole(ctx.scope, input)),
  remove: orgRoleProcedure("admin", "remove members")
    .input(ZRemoveMemberInput)
    .mutation(({ ctx, input }) => removeMember(ctx.scope, input.userId)),
  /** The signed-in user leaves the current org (not the last owner). */
  leave: orgProcedure.mutation(({ ctx }) => leaveOrg(ctx.scope)),
});
