import {
  AppError,
  getCredentialPolicy,
  issueKubeconfig,
  listCredentials,
  revokeCredential,
  setCredentialPolicy,
  ZKubeconfigInput,
} from "@nuage/core";
import { z } from "zod";
import { orgProcedure, orgRoleProcedure, router } from "../../trpc.ts";
import { ZCredentialOutput, ZKubeconfigOutput } from "./outputs.ts";

const tags = ["credentials"];

/** `clusters.kubeconfig` lives in the clusters router; this router lists and revokes what was issued. */
export const kubeconfigProcedure = orgRoleProcedure("viewer", "download kubeconfigs")
  .meta({
    openapi: {
      method: "GET",
      path: "/clusters/{id}/kubeconfig",
      protect: true,
      tags,
      summary: "Issue a kubeconfig for the caller (ttlHours 1-720); the private key is never stored",
    },
  })
  .input(ZKubeconfigInput)
  .output(ZKubeconfigOutput)
  // A GET in REST, but it issues a credential each time: a mutation in tRPC would not be GET-able.
  .query(({ ctx, input }) => {
    if (ctx.token?.scope === "read") {
      throw new AppError("FORBIDDEN", "This API token is read-only (scope read); a kubeconfig needs the write scope");
    }
    return issueKubeconfig(ctx.scope, input);
  });

export const credentialsRouter = router({
  list: orgProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/clusters/{clusterId}/credentials",
        protect: true,
        tags,
        summary: "Credentials issued for a cluster (owners/admins: everyone's; others: their own)",
      },
    })
    .input(z.object({ clusterId: z.string().min(1, "clusterId is required") }))
    .output(z.array(ZCredentialOutput))
    .query(({ ctx, input }) => listCredentials(ctx.scope, input.clusterId)),
  revoke: orgProcedure
    .meta({
      openapi: {
        method: "DELETE",
        path: "/credentials/{id}",
        protect: true,
        tags,
        summary: "Revoke a credential (kubectl gets 401 within seconds)",
      },
    })
    .input(z.object({ id: z.string().min(1, "id is required") }))
    .output(ZCredentialOutput)
    .mutation(({ ctx, input }) => revokeCredential(ctx.scope, input.id)),
  policy: orgProcedure
    .input(z.void())
    .output(z.object({ maxTtlHours: z.number().int() }))
    .query(({ ctx }) => getCredentialPolicy(ctx.org.id)),
  setPolicy: orgRoleProcedure("admin", "change the kubeconfig lifetime limit")
    .input(
      z.object({
        maxTtlHours: z
          .number()
          .int()
          .min(1, "maxTtlHours must be at least 1")
          .max(720, "maxTtlHours must be at most 720"),
      }),
    )
    .output(z.object({ maxTtlHours: z.number().int() }))
    .mutation(({ ctx, input }) => setCredentialPolicy(ctx.scope, input.maxTtlHours)),
});
