import type { MeOutput } from "./api-types";

/** What the portal needs from `me.get`: the user, their orgs and the current org. */
export type Me = Pick<MeOutput, "user" | "orgs" | "currentOrg">;

export function toMe(raw: MeOutput): Me {
  return { user: raw.user, orgs: raw.orgs, currentOrg: raw.currentOrg };
}
