import {
  PASSWORD_POLICY,
  requestPasswordReset,
  resendVerification,
  resetPassword,
  signUp,
  verifyEmail,
  ZEmail,
  ZPassword,
  ZSignUpInput,
  ZTokenString,
} from "@nuage/core";
import { z } from "zod";
import { publicProcedure, router, userProcedure } from "../trpc.ts";

export const ZVerifyEmailInput = z.object({ token: ZTokenString });
export const ZRequestPasswordResetInput = z.object({ email: ZEmail });
export const ZResetPasswordInput = z.object({ token: ZTokenString, password: ZPassword });

export const authRouter = router({
  /** Creates the account (and its org, or joins the invitation's org). The client then signs in. */
  signUp: publicProcedure.input(ZSignUpInput).mutation(({ input, ctx }) => signUp(input, { ip: ctx.ip })),
  verifyEmail: publicProcedure
    .input(ZVerifyEmailInput)
    .mutation(({ input, ctx }) => verifyEmail(input.token, { ip: ctx.ip })),
  resendVerification: userProcedure.mutation(({ ctx }) => resendVerification(ctx.user.id, { ip: ctx.ip })),
  /** Same answer whether the account exists or not. */
  requestPasswordReset: publicProcedure
    .input(ZRequestPasswordResetInput)
    .mutation(({ input, ctx }) => requestPasswordReset(input.email, { ip: ctx.ip })),
  resetPassword: publicProcedure.input(ZResetPasswordInput).mutation(async ({ input, ctx }) => {
    const r = await resetPassword(input.token, input.password, { ip: ctx.ip });
    return { ok: r.ok, email: r.email };
  }),
  passwordPolicy: publicProcedure.query(() => ({ policy: PASSWORD_POLICY })),
});
