import {
  adminRetryOperation,
  forceDeleteCluster,
  getAdminCluster,
  listAllClusters,
  triggerReconcile,
  ZAdminClusterFilter,
} from "@nuage/core";
import { z } from "zod";
import { platformAdminProcedure, router } from "../../trpc.ts";
import { actorOf } from "./util.ts";

const ZId = z.object({ id: z.string().min(1, "id: required") });

export const adminClustersRouter = router({
  list: platformAdminProcedure.input(ZAdminClusterFilter).query(({ input }) => listAllClusters(input)),
  get: platformAdminProcedure.input(ZId).query(({ input }) => getAdminCluster(input.id)),
  retryOperation: platformAdminProcedure
    .input(ZId)
    .mutation(({ ctx, input }) => adminRetryOperation(actorOf(ctx), input.id)),
  forceDelete: platformAdminProcedure
    .input(z.object({ id: z.string().min(1), confirmName: z.string() }))
    .mutation(({ ctx, input }) => forceDeleteCluster(actorOf(ctx), input)),
  reconcile: platformAdminProcedure.input(ZId).mutation(({ ctx, input }) => triggerReconcile(actorOf(ctx), input.id)),
});
