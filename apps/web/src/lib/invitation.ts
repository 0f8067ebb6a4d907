import type { InviteSummary } from "~/components/auth/signup-form";
import { getCaller } from "~/trpc/server";

const STATUS_MESSAGE: Record<"expired" | "revoked" | "accepted", string> = {
  expired: "This invitation has expired. Ask for a new one.",
  revoked: "This invitation was withdrawn.",
  accepted: "This invitation was already used. Sign in to open the organization.",
};

type Loaded = { ok: true; invite: InviteSummary } | { ok: false; message: string };

/** Reads a public invitation by token on the server; an unknown or used token is a message, not a crash. */
export async function loadInvitation(token: string): Promise<Loaded> {
  try {
    const inv = await (await getCaller()).invitations.get({ token });
    if (inv.status !== "valid") return { ok: false, message: STATUS_MESSAGE[inv.status] };
    return { ok: true, invite: { token, email: inv.email, orgName: inv.orgName, role: inv.role } };
  } catch (e) {
    const message = e instanceof Error ? e.message : "";
    return { ok: false, message: message || "This invitation link is not valid or has expired." };
  }
}
