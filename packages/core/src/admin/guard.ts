// Who may operate the platform, and the audit trail of those who tried without being allowed.
import type { Actor } from "../actor.ts";
import { audit } from "../audit.ts";
import { mutate } from "../tx.ts";

/**
 * Records a refused attempt at the admin console (a tRPC procedure or an /admin page). The caller
 * answers not-found, so the console's existence is not revealed; the attempt is still on record.
 */
export async function recordAdminDenied(actor: Actor, target: { kind: "procedure" | "page"; path: string }) {
  try {
    await mutate((tx) =>
      audit(tx, actor, {
        orgId: null,
        action: "admin.denied",
        targetType: target.kind,
        targetId: target.path.slice(0, 200),
      }),
    );
  } catch (e) {
    // The refusal stands even if the audit write fails; the operator sees why in the log.
    console.warn(`[nuage] could not audit a refused admin access: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The operator acting in the console: a platform admin's session. */
export function operatorActor(userId: string, ip: string | null): Actor {
  return { type: "user", userId, ip };
}
