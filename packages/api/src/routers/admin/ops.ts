// Capacity (provider hosts) and jobs (BullMQ queues).
import { failedJobs, listCapacity, queueCounts, retryJob, setHostState } from "@nuage/core";
import { z } from "zod";
import { platformAdminProcedure, router } from "../../trpc.ts";
import { actorOf } from "./util.ts";

export const adminOpsRouter = router({
  hosts: platformAdminProcedure.query(() => listCapacity()),
  setHostState: platformAdminProcedure
    .input(
      z.object({
        id: z.string().min(1, "id: required").max(200),
        state: z.enum(["up", "down", "draining"], { error: "state: choose up, down or draining" }),
      }),
    )
    .mutation(({ ctx, input }) => setHostState(actorOf(ctx), input)),
  queues: platformAdminProcedure.query(() => queueCounts()),
  failedJobs: platformAdminProcedure
    .input(
      z.object({ queue: z.string().min(1, "queue: required"), limit: z.number().int().min(1).max(200).optional() }),
    )
    .query(({ input }) => failedJobs(input.queue, input.limit)),
  retryJob: platformAdminProcedure
    .input(z.object({ queue: z.string().min(1, "queue: required"), id: z.string().min(1, "id: required") }))
    .mutation(({ ctx, input }) => retryJob(actorOf(ctx), input)),
});
