// Quota templates of an org: small/medium/large seeded on first use, editable by org admins.
import { getDb, orgWhere } from "@nuage/db";
import type { OrgScope } from "../actor.ts";
import { audit } from "../audit.ts";
import { AppError } from "../errors.ts";
import { requireRole } from "../roles.ts";
import { mutate } from "../tx.ts";
import { checkQuotaShape } from "./caps.ts";
import type { TContainerDefaults, TQuota } from "./schemas.ts";

export interface TemplateSpec {
  quota: TQuota;
  limits: TContainerDefaults;
}

const defaults = (cpu: string, mem: string, lcpu: string, lmem: string, storage: string, n: number): TemplateSpec => ({
  quota: {
    "requests.cpu": cpu,
    "requests.memory": mem,
    "limits.cpu": lcpu,
    "limits.memory": lmem,
    "requests.storage": storage,
    persistentvolumeclaims: String(n),
    pods: String(n * 4),
    services: String(n * 2),
    "services.loadbalancers": String(Math.max(1, Math.floor(n / 5))),
    "services.nodeports": String(Math.floor(n / 2)),
  },
  limits: { defaultRequest: { cpu: "100m", memory: "128Mi" }, default: { cpu: "500m", memory: "512Mi" } },
});

export const DEFAULT_TEMPLATES: Record<string, TemplateSpec> = {
  small: defaults("500m", "1Gi", "1", "2Gi", "10Gi", 5),
  medium: defaults("1", "2Gi", "2", "4Gi", "50Gi", 10),
  large: defaults("2", "4Gi", "4", "8Gi", "200Gi", 20),
};

async function seed(orgId: string) {
  const db = getDb();
  const have = await db.namespaceTemplate.count({ where: { orgId } });
  if (have > 0) return;
  await db.namespaceTemplate.createMany({
    data: Object.entries(DEFAULT_TEMPLATES).map(([name, t]) => ({ orgId, name, quota: t.quota, limits: t.limits })),
    skipDuplicates: true,
  });
}

const view = (t: { id: string; name: string; quota: unknown; limits: unknown; updatedAt: Date }) => ({
  id: t.id,
  name: t.name,
  quota: t.quota as TQuota,
  limits: t.limits as TContainerDefaults,
  updatedAt: t.updatedAt,
});
export type TemplateView = ReturnType<typeof view>;

export async function listTemplates(orgId: string): Promise<TemplateView[]> {
  await seed(orgId);
  const rows = await getDb().namespaceTemplate.findMany({ where: { orgId }, orderBy: { createdAt: "asc" } });
  const order = ["small", "medium", "large"];
  return rows
    .map(view)
    .sort(
      (a, b) => (order.indexOf(a.name) + 1 || 99) - (order.indexOf(b.name) + 1 || 99) || a.name.localeCompare(b.name),
    );
}

export async function findTemplate(orgId: string, name: string): Promise<TemplateSpec | null> {
  await seed(orgId);
  const t = await getDb().namespaceTemplate.findFirst({ where: orgWhere(orgId, { name }) });
  return t ? { quota: t.quota as TQuota, limits: t.limits as TContainerDefaults } : null;
}

/** Creates or replaces a template (org admins). "custom" is the absence of a template. */
export async function saveTemplate(scope: OrgScope, input: { name: string } & TemplateSpec) {
  requireRole(scope.role, "admin", "edit namespace templates");
  if (input.name === "custom")
    throw new AppError("BAD_REQUEST", '"custom" means no template; pick another name', { field: "name" });
  checkQuotaShape(input.quota, input.limits);
  await seed(scope.orgId);
  const row = await mutate(async (tx) => {
    const r = await tx.namespaceTemplate.upsert({
      where: { orgId_name: { orgId: scope.orgId, name: input.name } },
      create: { orgId: scope.orgId, name: input.name, quota: input.quota, limits: input.limits },
      update: { quota: input.quota, limits: input.limits },
    });
    await audit(tx, scope.actor, {
      orgId: scope.orgId,
      action: "namespace.template.save",
      targetType: "namespace_template",
      targetId: r.id,
      metadata: { name: input.name },
    });
    return r;
  });
  return view(row);
}

export async function deleteTemplate(scope: OrgScope, id: string) {
  requireRole(scope.role, "admin", "edit namespace templates");
  const row = await getDb().namespaceTemplate.findFirst({ where: orgWhere(scope.orgId, { id }) });
  if (!row) throw new AppError("NOT_FOUND", "Template not found");
  await mutate(async (tx) => {
    await tx.namespaceTemplate.deleteMany({ where: orgWhere(scope.orgId, { id: row.id }) });
    await audit(tx, scope.actor, {
      orgId: scope.orgId,
      action: "namespace.template.delete",
      targetType: "namespace_template",
      targetId: row.id,
      metadata: { name: row.name },
    });
  });
  return { ok: true as const };
}
