import type { InviteSummary } from "~/components/auth/signup-form";
import { getCaller } from "~/trpc/server";

const STATUS_MESSAGE: Record<string, string> = {
  expired: "This invitation has expired. Ask for a new one.",
  revoked: "This invitation was withdrawn.",
  accepted: "This invitation was already used. Sign in to open the organization.",
};

type Loaded = { ok: true; invite: InviteSummary; raw: Record<string, unknown> } | { ok: false; message: string };

/** Reads a public invitation by token on the server; an unknown or used token is a message, not a crash. */
export async function loadInvitation(token: string): Promise<Loaded> {
  try {
    const caller = await getCaller();
    const inv = (await caller.invitations.get({ token })) as Record<string, unknown>;
    const org = (inv.org ?? {}) as { id?: string; name?: string };
    const status = String(inv.status ?? "valid");
    if (status !== "valid") return { ok: false, message: STATUS_MESSAGE[status] ?? STATUS_MESSAGE.expired! };
    return {
      ok: true,
      raw: inv,
      invite: {
        token,
        email: String(inv.email ?? ""),
        orgName: String(inv.orgName ?? org.name ?? "the organization"),
        orgId: (inv.orgId as string | undefined) ?? org.id,
        role: String(inv.role ?? "member"),
      },
    };
  } catch (e) {
    const message = e instanceof Error ? e.message : "";
    return { ok: false, message: message || "This invitation link is not valid or has expired." };
  }
}
