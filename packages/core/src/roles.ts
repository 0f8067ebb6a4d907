import type { Role } from "@nuage/db/types";
import { AppError } from "./errors.ts";

export const ROLES = ["owner", "admin", "member", "viewer", "billing"] as const satisfies readonly Role[];

// Rank for the general ladder. Billing sits below viewer: it reads the org (and, later, billing).
const RANK: Record<Role, number> = { owner: 4, admin: 3, member: 2, viewer: 1, billing: 0 };

export function roleAtLeast(role: Role, min: Role): boolean {
  return RANK[role] >= RANK[min];
}

/** Throws FORBIDDEN "Your role (viewer) cannot invite members". */
export function requireRole(role: Role, min: Role, what: string): void {
  if (!roleAtLeast(role, min)) throw new AppError("FORBIDDEN", `Your role (${role}) cannot ${what}`);
}
