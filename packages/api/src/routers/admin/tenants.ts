import {
  deleteTenant,
  extendTrial,
  getTenant,
  resumeTenant,
  searchTenants,
  setTenantPlan,
  setTenantQuotas,
  suspendTenant,
  ZDeleteTenantInput,
  ZPlanInput,
  ZQuotaInput,
  ZSuspendInput,
  ZTrialInput,
} from "@nuage/core";
import { z } from "zod";
import { platformAdminProcedure, router } from "../../trpc.ts";
import { actorOf } from "./util.ts";

const ZId = z.object({ id: z.string().min(1, "id: required") });

export const adminTenantsRouter = router({
  search: platformAdminProcedure
    .input(
      z.object({
        q: z.string().max(200).optional(),
        status: z.enum(["active", "trial", "suspended", "deleting", "deleted"]).optional(),
        limit: z.number().int().min(1).max(200).optional(),
      }),
    )
    .query(({ input }) => searchTenants(input)),
  get: platformAdminProcedure.input(ZId).query(({ input }) => getTenant(input.id)),
  setPlan: platformAdminProcedure.input(ZPlanInput).mutation(({ ctx, input }) => setTenantPlan(actorOf(ctx), input)),
  setQuotas: platformAdminProcedure
    .input(ZQuotaInput)
    .mutation(({ ctx, input }) => setTenantQuotas(actorOf(ctx), input)),
  extendTrial: platformAdminProcedure.input(ZTrialInput).mutation(({ ctx, input }) => extendTrial(actorOf(ctx), input)),
  suspend: platformAdminProcedure.input(ZSuspendInput).mutation(({ ctx, input }) => suspendTenant(actorOf(ctx), input)),
  resume: platformAdminProcedure.input(ZId).mutation(({ ctx, input }) => resumeTenant(actorOf(ctx), input.id)),
  delete: platformAdminProcedure
    .input(ZDeleteTenantInput)
    .mutation(({ ctx, input }) => deleteTenant(actorOf(ctx), input)),
});
