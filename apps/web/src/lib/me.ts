import type { Role } from "./roles";

/** What the portal needs from `me.get`. */
export interface Me {
  user: {
    id: string;
    email: string;
    name: string | null;
    emailVerified: boolean | Date | string | null;
    isPlatformAdmin: boolean;
  };
  orgs: Array<{ id: string; name: string; role: Role | string }>;
  currentOrg: { id: string; name: string; role: Role | string } | null;
}

export function toMe(raw: unknown): Me {
  const r = raw as {
    user: Me["user"];
    orgs: Me["orgs"];
    currentOrg?: { id: string; name: string; role?: string } | null;
  };
  const current = r.currentOrg
    ? { ...r.currentOrg, role: r.currentOrg.role ?? r.orgs.find((o) => o.id === r.currentOrg?.id)?.role ?? "viewer" }
    : null;
  return { user: r.user, orgs: r.orgs, currentOrg: current };
}
