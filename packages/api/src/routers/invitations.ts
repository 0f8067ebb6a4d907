import {
  acceptInvitation,
  createInvitation,
  getInvitationByToken,
  listInvitations,
  revokeInvitation,
  ZEmail,
  ZRole,
  ZTokenString,
} from "@nuage/core";
import { z } from "zod";
import { ZInvitationOutput } from "../schemas.ts";
import { orgRoleProcedure, publicProcedure, router, userProcedure } from "../trpc.ts";

export const ZCreateInvitationInput = z.object({ email: ZEmail, role: ZRole });
export const ZRevokeInvitationInput = z.object({ id: z.string().min(1, "id is required") });
export const ZInvitationTokenInput = z.object({ token: ZTokenString });

export const invitationsRouter = router({
  list: orgRoleProcedure("member", "see invitations")
    .output(z.array(ZInvitationOutput))
    .query(({ ctx }) => listInvitations(ctx.org.id)),
  create: orgRoleProcedure("admin", "invite members")
    .input(ZCreateInvitationInput)
    .output(ZInvitationOutput)
    .mutation(async ({ ctx, input }) => (await createInvitation(ctx.scope, input)).invitation),
  revoke: orgRoleProcedure("admin", "revoke invitations")
    .input(ZRevokeInvitationInput)
    .output(ZInvitationOutput)
    .mutation(({ ctx, input }) => revokeInvitation(ctx.scope, input.id)),
  /** Public: what an invitation link is about (org name, e-mail, role, status). */
  get: publicProcedure.input(ZInvitationTokenInput).query(({ input }) => getInvitationByToken(input.token)),
  /** The signed-in user (whose e-mail must be the invited one) joins the org. */
  accept: userProcedure
    .input(ZInvitationTokenInput)
    .mutation(({ ctx, input }) => acceptInvitation(ctx.user.id, input.token, { ip: ctx.ip })),
});
