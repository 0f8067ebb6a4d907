import { AppError, changePassword, getOrg, getUser, listUserOrgs, updateProfile, ZName, ZPassword } from "@nuage/core";
import { z } from "zod";
import { ZMeOutput } from "../schemas.ts";
import { orgProcedure, protectedProcedure, router, sessionOrg, userProcedure } from "../trpc.ts";

export const ZUpdateProfileInput = z.object({ name: ZName });
export const ZChangePasswordInput = z.object({
  currentPassword: z.string({ error: "Current password is required" }).min(1, "Current password is required").max(200),
  newPassword: ZPassword,
});

export const meRouter = router({
  get: protectedProcedure
    .meta({
      openapi: { method: "GET", path: "/me", protect: true, tags: ["me"], summary: "The caller and its organizations" },
    })
    .input(z.void())
    .output(ZMeOutput)
    .query(async ({ ctx }) => {
      if (ctx.token) {
        // A token belongs to one org: it sees that org only; `user` is the token's creator.
        const creator = ctx.token.createdById ? await getUser(ctx.token.createdById) : null;
        if (!creator) throw new AppError("UNAUTHORIZED", "The user who created this API token no longer exists");
        const org = await getOrg(ctx.token.orgId);
        const current = { id: org.id, name: org.name, role: "admin" as const };
        return {
          user: {
            id: creator.id,
            email: creator.email,
            name: creator.name,
            emailVerified: !!creator.emailVerified,
            isPlatformAdmin: false,
          },
          orgs: [current],
          currentOrg: current,
          token: { id: ctx.token.tokenId, name: ctx.token.name, scope: ctx.token.scope },
        };
      }
      const user = ctx.user!;
      const orgs = await listUserOrgs(user.id);
      // An x-nuage-org header naming a foreign org is refused by org procedures; here it just yields null.
      const currentOrg = await sessionOrg(user.id, ctx.headers).catch(() => null);
      return {
        user: {
          id: user.id,
          email: user.email,
          name: user.name,
          emailVerified: !!user.emailVerified,
          isPlatformAdmin: user.isPlatformAdmin,
        },
        orgs,
        currentOrg,
        token: null,
      };
    }),
  update: userProcedure
    .input(ZUpdateProfileInput)
    .mutation(({ ctx, input }) => updateProfile(ctx.user.id, input, { ip: ctx.ip })),
  /** Ends every session of the user, this one included: sign in again afterwards. */
  changePassword: userProcedure
    .input(ZChangePasswordInput)
    .mutation(({ ctx, input }) => changePassword(ctx.user.id, input, { ip: ctx.ip })),
  /** The org the caller acts in. */
  currentOrg: orgProcedure.query(({ ctx }) => ctx.org),
});
