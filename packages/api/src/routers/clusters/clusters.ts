import {
  AppError,
  assertVerified,
  createCluster,
  deleteCluster,
  estimate,
  getCluster,
  listClusterEvents,
  listClusters,
  orgPricing,
  updateCluster,
  ZClusterIdInput,
  ZCreateClusterInput,
  ZDeleteClusterInput,
  ZEstimateInput,
  ZUpdateClusterInput,
} from "@nuage/core";
import { z } from "zod";
import { orgProcedure, orgRoleProcedure, router } from "../../trpc.ts";
import { kubeconfigProcedure } from "./credentials.ts";
import { ZClusterOutput, ZEstimateOutput, ZEventOutput } from "./outputs.ts";
import { watchCluster } from "./watch.ts";

const tags = ["clusters"];

export const clustersRouter = router({
  list: orgProcedure
    .meta({
      openapi: { method: "GET", path: "/clusters", protect: true, tags, summary: "Clusters of the organization" },
    })
    .input(z.object({ includeDeleted: z.boolean().optional() }).optional())
    .output(z.array(ZClusterOutput))
    .query(({ ctx, input }) => listClusters(ctx.org.id, { includeDeleted: input?.includeDeleted })),
  get: orgProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/clusters/{id}",
        protect: true,
        tags,
        summary: "A cluster with its node pools and current operation",
      },
    })
    .input(ZClusterIdInput)
    .output(ZClusterOutput)
    .query(({ ctx, input }) => getCluster(ctx.org.id, input.id)),
  // Priced with the org's plan in the current price book version (both named in the answer).
  estimate: orgProcedure
    .input(ZEstimateInput)
    .output(ZEstimateOutput)
    .query(async ({ ctx, input }) => estimate(input, await orgPricing(ctx.org.id))),
  create: orgRoleProcedure("member", "create clusters")
    .meta({ openapi: { method: "POST", path: "/clusters", protect: true, tags, summary: "Create a cluster" } })
    .input(ZCreateClusterInput)
    .output(ZClusterOutput)
    .mutation(({ ctx, input }) => {
      if (ctx.user) assertVerified(ctx.user);
      return createCluster(ctx.scope, input);
    }),
  update: orgRoleProcedure("member", "change clusters")
    .meta({
      openapi: {
        method: "PATCH",
        path: "/clusters/{id}",
        protect: true,
        tags,
        summary: "Change node pools (add, remove, resize), upgrade the version or toggle HA",
      },
    })
    .input(ZUpdateClusterInput)
    .output(ZClusterOutput)
    .mutation(({ ctx, input }) => updateCluster(ctx.scope, input)),
  delete: orgRoleProcedure("member", "delete clusters")
    .meta({
      openapi: {
        method: "DELETE",
        path: "/clusters/{id}",
        protect: true,
        tags,
        summary: "Delete a cluster (confirmName must equal its name)",
      },
    })
    .input(ZDeleteClusterInput)
    .output(ZClusterOutput)
    .mutation(({ ctx, input }) => deleteCluster(ctx.scope, input)),
  events: orgProcedure
    .meta({
      openapi: { method: "GET", path: "/clusters/{id}/events", protect: true, tags, summary: "Drift and changes" },
    })
    .input(ZClusterIdInput)
    .output(z.array(ZEventOutput))
    .query(({ ctx, input }) => listClusterEvents(ctx.org.id, input.id)),
  kubeconfig: kubeconfigProcedure,
  /** SSE subscription: yields the cluster (with its current operation and steps) whenever it changes. */
  watch: orgProcedure.input(ZClusterIdInput).subscription(async function* ({ ctx, input, signal }) {
    if (!input.id) throw new AppError("BAD_REQUEST", "id is required", { field: "id" });
    yield* watchCluster(ctx.org.id, input.id, signal);
  }),
});
