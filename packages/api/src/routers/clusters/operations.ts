import { getOperation, listOperations, retryOperation } from "@nuage/core";
import { z } from "zod";
import { orgProcedure, orgRoleProcedure, router } from "../../trpc.ts";
import { ZOperationOutput } from "./outputs.ts";

const tags = ["operations"];

export const operationsRouter = router({
  list: orgProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/clusters/{clusterId}/operations",
        protect: true,
        tags,
        summary: "Operations of a cluster with their steps (newest first)",
      },
    })
    .input(z.object({ clusterId: z.string().min(1, "clusterId is required") }))
    .output(z.array(ZOperationOutput))
    .query(({ ctx, input }) => listOperations(ctx.org.id, input.clusterId)),
  get: orgProcedure
    .meta({ openapi: { method: "GET", path: "/operations/{id}", protect: true, tags, summary: "One operation" } })
    .input(z.object({ id: z.string().min(1, "id is required") }))
    .output(ZOperationOutput)
    .query(({ ctx, input }) => getOperation(ctx.org.id, input.id)),
  retry: orgRoleProcedure("member", "retry cluster operations")
    .meta({
      openapi: {
        method: "POST",
        path: "/operations/{id}/retry",
        protect: true,
        tags,
        summary: "Retry a failed operation",
      },
    })
    .input(z.object({ id: z.string().min(1, "id is required") }))
    .output(ZOperationOutput)
    .mutation(({ ctx, input }) => retryOperation(ctx.scope, input.id)),
});
