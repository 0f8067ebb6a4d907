import { operatorActor } from "@nuage/core";

/** The operator behind an admin procedure (platformAdminProcedure guarantees a session user). */
export function actorOf(ctx: { user: { id: string } | null; ip: string | null }) {
  return operatorActor(ctx.user!.id, ctx.ip);
}
