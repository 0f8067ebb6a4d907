// Platform-wide reads for operators (platform admins, the CLI). Not tenant-scoped on purpose.
import { getDb } from "@nuage/db";

export async function listAllOrgs(opts: { limit?: number } = {}) {
  const orgs = await getDb().org.findMany({
    orderBy: { createdAt: "asc" },
    take: Math.min(Math.max(opts.limit ?? 500, 1), 5000),
    include: { _count: { select: { memberships: true } } },
  });
  return orgs.map((o) => ({ id: o.id, name: o.name, members: o._count.memberships, createdAt: o.createdAt }));
}
