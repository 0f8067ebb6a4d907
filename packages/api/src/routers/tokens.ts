import { createApiToken, listApiTokens, revokeApiToken } from "@nuage/core";
import { z } from "zod";
import { ZApiTokenOutput } from "../schemas.ts";
import { orgRoleProcedure, router } from "../trpc.ts";

export const ZCreateTokenInput = z.object({
  name: z
    .string({ error: "name is required" })
    .trim()
    .min(1, "Token name is required")
    .max(100, "Token name is too long (100 characters at most)"),
  scope: z.enum(["read", "write"], { error: "scope must be read or write" }),
  expiresAt: z.coerce
    .date({ error: "expiresAt must be an ISO 8601 date" })
    .refine((d) => d.getTime() > Date.now(), "expiresAt must be in the future")
    .optional()
    .nullable(),
});
export const ZRevokeTokenInput = z.object({ id: z.string().min(1, "id is required") });

export const tokensRouter = router({
  list: orgRoleProcedure("member", "see API tokens")
    .meta({
      openapi: {
        method: "GET",
        path: "/tokens",
        protect: true,
        tags: ["tokens"],
        summary: "API tokens of the organization",
      },
    })
    .input(z.void())
    .output(z.array(ZApiTokenOutput))
    .query(({ ctx }) => listApiTokens(ctx.org.id)),
  /** The response carries `token` once; only its hash is stored. */
  create: orgRoleProcedure("admin", "create API tokens")
    .meta({
      openapi: {
        method: "POST",
        path: "/tokens",
        protect: true,
        tags: ["tokens"],
        summary: "Create an API token (shown once)",
      },
    })
    .input(ZCreateTokenInput)
    .output(ZApiTokenOutput.extend({ token: z.string() }))
    .mutation(({ ctx, input }) => createApiToken(ctx.scope, input)),
  revoke: orgRoleProcedure("admin", "revoke API tokens")
    .meta({
      openapi: {
        method: "DELETE",
        path: "/tokens/{id}",
        protect: true,
        tags: ["tokens"],
        summary: "Revoke an API token",
      },
    })
    .input(ZRevokeTokenInput)
    .output(ZApiTokenOutput)
    .mutation(({ ctx, input }) => revokeApiToken(ctx.scope, input.id)),
});
