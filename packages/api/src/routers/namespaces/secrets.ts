import {
  AppError,
  createConfigMap,
  createGrant,
  createSecret,
  deleteGrant,
  deleteItem,
  listGrants,
  listItems,
  reauthExpiry,
  reauthenticate,
  revealSecret,
  updateConfigMap,
  updateSecret,
  ZCreateConfigMapInput,
  ZCreateSecretInput,
  ZGrantInput,
  ZUpdateConfigMapInput,
  ZUpdateSecretInput,
} from "@nuage/core";
import { z } from "zod";
import { orgProcedure, router } from "../../trpc.ts";
import { ZGrantOutput, ZItemOutput } from "./outputs.ts";

const ZNsId = z.object({ namespaceId: z.string().min(1, "namespaceId is required") });
const ZId = z.object({ id: z.string().min(1, "id is required") });

/** Secrets: values are write-only; `reveal` needs an org admin who re-entered their password. */
export const secretsRouter = router({
  list: orgProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/namespaces/{namespaceId}/secrets",
        protect: true,
        tags: ["secrets"],
        summary: "Secrets (names and keys; never values)",
      },
    })
    .input(ZNsId)
    .output(z.array(ZItemOutput))
    .query(async ({ ctx, input }) =>
      (await listItems(ctx.scope, input.namespaceId)).filter((i) => i.kind === "secret"),
    ),
  create: orgProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/namespaces/{namespaceId}/secrets",
        protect: true,
        tags: ["secrets"],
        summary: "Create a secret (generic, docker-registry or tls); values are encrypted at rest",
      },
    })
    .input(ZCreateSecretInput)
    .output(ZItemOutput)
    .mutation(({ ctx, input }) => createSecret(ctx.scope, input)),
  update: orgProcedure
    .meta({
      openapi: {
        method: "PUT",
        path: "/secrets/{id}",
        protect: true,
        tags: ["secrets"],
        summary: "Replace a secret's values (a new version)",
      },
    })
    .input(ZUpdateSecretInput)
    .output(ZItemOutput)
    .mutation(({ ctx, input }) => updateSecret(ctx.scope, input)),
  delete: orgProcedure
    .meta({
      openapi: {
        method: "DELETE",
        path: "/secrets/{id}",
        protect: true,
        tags: ["secrets"],
        summary: "Delete a secret",
      },
    })
    .input(ZId)
    .output(ZItemOutput)
    .mutation(({ ctx, input }) => deleteItem(ctx.scope, input.id)),
  /** tRPC only (no REST): a session that re-authenticated within 10 minutes. Audited. */
  reveal: orgProcedure
    .input(ZId)
    .output(
      z.object({ id: z.string(), name: z.string(), version: z.number().int(), data: z.record(z.string(), z.string()) }),
    )
    .mutation(({ ctx, input }) => revealSecret(ctx.scope, input.id)),
  reauthenticate: orgProcedure
    .input(z.object({ password: z.string().min(1, "password is required").max(200) }))
    .output(z.object({ expiresAt: z.date() }))
    .mutation(({ ctx, input }) => {
      if (!ctx.user) throw new AppError("FORBIDDEN", "Re-authentication is for signed-in users");
      return reauthenticate(ctx.scope, input.password);
    }),
  reauthStatus: orgProcedure
    .input(z.void())
    .output(z.object({ expiresAt: z.date().nullable() }))
    .query(async ({ ctx }) => ({ expiresAt: ctx.user ? await reauthExpiry(ctx.user.id) : null })),
});

export const configMapsRouter = router({
  list: orgProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/namespaces/{namespaceId}/configmaps",
        protect: true,
        tags: ["configmaps"],
        summary: "ConfigMaps",
      },
    })
    .input(ZNsId)
    .output(z.array(ZItemOutput))
    .query(async ({ ctx, input }) =>
      (await listItems(ctx.scope, input.namespaceId)).filter((i) => i.kind === "configmap"),
    ),
  create: orgProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/namespaces/{namespaceId}/configmaps",
        protect: true,
        tags: ["configmaps"],
        summary: "Create a ConfigMap",
      },
    })
    .input(ZCreateConfigMapInput)
    .output(ZItemOutput)
    .mutation(({ ctx, input }) => createConfigMap(ctx.scope, input)),
  update: orgProcedure
    .meta({
      openapi: {
        method: "PUT",
        path: "/configmaps/{id}",
        protect: true,
        tags: ["configmaps"],
        summary: "Replace a ConfigMap's data",
      },
    })
    .input(ZUpdateConfigMapInput)
    .output(ZItemOutput)
    .mutation(({ ctx, input }) => updateConfigMap(ctx.scope, input)),
  delete: orgProcedure
    .meta({
      openapi: {
        method: "DELETE",
        path: "/configmaps/{id}",
        protect: true,
        tags: ["configmaps"],
        summary: "Delete a ConfigMap",
      },
    })
    .input(ZId)
    .output(ZItemOutput)
    .mutation(({ ctx, input }) => deleteItem(ctx.scope, input.id)),
});

export const namespaceAccessRouter = router({
  list: orgProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/namespaces/{namespaceId}/access",
        protect: true,
        tags: ["namespaces"],
        summary: "Members with access to this namespace only",
      },
    })
    .input(ZNsId)
    .output(z.array(ZGrantOutput))
    .query(({ ctx, input }) => listGrants(ctx.scope, input.namespaceId)),
  create: orgProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/namespaces/{namespaceId}/access",
        protect: true,
        tags: ["namespaces"],
        summary: "Give a member or viewer admin/editor/viewer access to this namespace only",
      },
    })
    .input(ZGrantInput)
    .output(ZGrantOutput)
    .mutation(({ ctx, input }) => createGrant(ctx.scope, input)),
  delete: orgProcedure
    .meta({
      openapi: {
        method: "DELETE",
        path: "/namespace-access/{id}",
        protect: true,
        tags: ["namespaces"],
        summary: "Remove a namespace access grant",
      },
    })
    .input(ZId)
    .output(ZGrantOutput)
    .mutation(({ ctx, input }) => deleteGrant(ctx.scope, input.id)),
});
