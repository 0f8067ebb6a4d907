import type { Role } from "@nuage/db/types";

/** Who performs a mutation: recorded in the audit log. */
export type Actor =
  | { type: "user"; userId: string; ip?: string | null }
  | { type: "token"; tokenId: string; createdById?: string | null; ip?: string | null }
  | { type: "operator-cli" }
  | { type: "system" };

/** An actor acting inside one org, with its effective role there. */
export interface OrgScope {
  orgId: string;
  role: Role;
  actor: Actor;
}

export function actorIp(actor: Actor): string | null {
  return actor.type === "user" || actor.type === "token" ? (actor.ip ?? null) : null;
}

export function actorUserId(actor: Actor): string | null {
  return actor.type === "user" ? actor.userId : null;
}
