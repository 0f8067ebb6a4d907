import type { AppRouter } from "@nuage/api";
import type { inferRouterOutputs } from "@trpc/server";

/** What the procedures return, as the portal receives it (superjson keeps Dates). */
export type Outputs = inferRouterOutputs<AppRouter>;
export type MeOutput = Outputs["me"]["get"];
export type MemberRow = Outputs["members"]["list"][number];
export type InvitationRow = Outputs["invitations"]["list"][number];
export type TokenRow = Outputs["tokens"]["list"][number];
export type AuditRow = Outputs["audit"]["list"]["items"][number];
