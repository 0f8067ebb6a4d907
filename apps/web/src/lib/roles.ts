export type Role = "owner" | "admin" | "member" | "viewer" | "billing";

export const ROLES: Role[] = ["owner", "admin", "member", "viewer", "billing"];

export const ROLE_LABEL: Record<Role, string> = {
  owner: "Owner",
  admin: "Admin",
  member: "Member",
  viewer: "Viewer",
  billing: "Billing",
};

export const ROLE_HELP: Record<Role, string> = {
  owner: "Everything, including deleting the organization",
  admin: "Manage members, tokens and clusters",
  member: "Create and use clusters",
  viewer: "Read-only access",
  billing: "Invoices and payment methods",
};

/** Whether a role may manage members, invitations and read the audit log (the server decides). */
export function canManage(role: string | null | undefined): boolean {
  return role === "owner" || role === "admin";
}

/** Whether a role may create API tokens that write. */
export function canWrite(role: string | null | undefined): boolean {
  return role === "owner" || role === "admin" || role === "member";
}
