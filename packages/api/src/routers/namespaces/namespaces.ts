import {
  createNamespace,
  deleteNamespace,
  deleteTemplate,
  getNamespace,
  listNamespaces,
  listTemplates,
  namespaceCaps,
  namespaceUsage,
  saveTemplate,
  setOvercommitRatio,
  updateNamespace,
  ZCreateNamespaceInput,
  ZTemplateInput,
  ZUpdateNamespaceInput,
} from "@nuage/core";
import { z } from "zod";
import { orgProcedure, orgRoleProcedure, router } from "../../trpc.ts";
import { ZCapsOutput, ZNamespaceDetailOutput, ZNamespaceOutput, ZTemplateOutput, ZUsageOutput } from "./outputs.ts";

const tags = ["namespaces"];
const ZId = z.object({ id: z.string().min(1, "id is required") });

export const namespacesRouter = router({
  list: orgProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/clusters/{clusterId}/namespaces",
        protect: true,
        tags,
        summary: "Namespaces of a cluster with their sync status",
      },
    })
    .input(z.object({ clusterId: z.string().min(1, "clusterId is required") }))
    .output(z.array(ZNamespaceOutput))
    .query(({ ctx, input }) => listNamespaces(ctx.scope, input.clusterId)),
  get: orgProcedure
    .meta({ openapi: { method: "GET", path: "/namespaces/{id}", protect: true, tags, summary: "One namespace" } })
    .input(ZId)
    .output(ZNamespaceDetailOutput)
    .query(({ ctx, input }) => getNamespace(ctx.scope, input.id)),
  usage: orgProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/namespaces/{id}/usage",
        protect: true,
        tags,
        summary: "Live quota usage (ResourceQuota status)",
      },
    })
    .input(ZId)
    .output(ZUsageOutput)
    .query(({ ctx, input }) => namespaceUsage(ctx.scope, input.id)),
  create: orgRoleProcedure("admin", "create namespaces")
    .meta({
      openapi: {
        method: "POST",
        path: "/clusters/{clusterId}/namespaces",
        protect: true,
        tags,
        summary: "Create a namespace with a quota (template small/medium/large or custom fields)",
      },
    })
    .input(ZCreateNamespaceInput)
    .output(ZNamespaceOutput)
    .mutation(({ ctx, input }) => createNamespace(ctx.scope, input)),
  update: orgRoleProcedure("admin", "change namespaces")
    .meta({
      openapi: {
        method: "PATCH",
        path: "/namespaces/{id}",
        protect: true,
        tags,
        summary: "Change labels, quota or defaults",
      },
    })
    .input(ZUpdateNamespaceInput)
    .output(ZNamespaceOutput)
    .mutation(({ ctx, input }) => updateNamespace(ctx.scope, input)),
  delete: orgRoleProcedure("admin", "delete namespaces")
    .meta({
      openapi: {
        method: "DELETE",
        path: "/namespaces/{id}",
        protect: true,
        tags,
        summary: "Delete a namespace (confirmName must equal its name)",
      },
    })
    .input(z.object({ id: z.string().min(1, "id is required"), confirmName: z.string() }))
    .output(ZNamespaceOutput)
    .mutation(({ ctx, input }) => deleteNamespace(ctx.scope, input)),
  templates: orgProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/namespace-templates",
        protect: true,
        tags,
        summary: "Quota templates of the organization",
      },
    })
    .input(z.void())
    .output(z.array(ZTemplateOutput))
    .query(({ ctx }) => listTemplates(ctx.org.id)),
  saveTemplate: orgRoleProcedure("admin", "edit namespace templates")
    .input(ZTemplateInput)
    .output(ZTemplateOutput)
    .mutation(({ ctx, input }) => saveTemplate(ctx.scope, input)),
  deleteTemplate: orgRoleProcedure("admin", "edit namespace templates")
    .input(ZId)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(({ ctx, input }) => deleteTemplate(ctx.scope, input.id)),
  caps: orgProcedure
    .input(z.void())
    .output(ZCapsOutput)
    .query(({ ctx }) => namespaceCaps(ctx.org.id)),
  setOvercommit: orgRoleProcedure("admin", "change the overcommit ratio")
    .input(
      z.object({
        ratio: z.number().min(1, "ratio must be at least 1 (no overcommit)").max(10, "ratio must be at most 10"),
      }),
    )
    .output(ZCapsOutput)
    .mutation(({ ctx, input }) => setOvercommitRatio(ctx.scope, input.ratio)),
});
