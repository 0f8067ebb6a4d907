// Org-scoped where-builders: every tenant query by id goes through one of these so `orgId` is
// never forgotten (reads, updates and deletes alike).

/** `{ id, orgId }`: the where clause for one tenant-owned row. */
export function inOrg<T extends string>(orgId: string, id: T): { id: T; orgId: string } {
  if (!orgId) throw new Error("inOrg: orgId is required");
  return { id, orgId };
}

/** Adds `orgId` to a where clause for lists. */
export function orgWhere<W extends object>(orgId: string, where?: W): W & { orgId: string } {
  if (!orgId) throw new Error("orgWhere: orgId is required");
  return { ...(where ?? ({} as W)), orgId };
}
