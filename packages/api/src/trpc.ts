// tRPC instance, error formatter and the procedure ladder:
// public → protected (session or token) → org (org from session/token, membership checked)
// → orgRole(min role) → platformAdmin.

import {
  AppError,
  getOrg,
  getUser,
  type OrgScope,
  recordAdminDenied,
  requireRole,
  resolveUserOrg,
  VIEW_AS_COOKIE,
  verifyViewAs,
} from "@nuage/core";
import type { Role } from "@nuage/db/types";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import type { OpenApiMeta } from "trpc-to-openapi";
import type { Context } from "./context.ts";
import { errorExtras, toTRPCError } from "./errors.ts";

const t = initTRPC
  .context<Context>()
  .meta<OpenApiMeta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      const { message, data } = errorExtras(error);
      const { stack: _stack, ...rest } = shape.data as typeof shape.data & { stack?: string };
      return { ...shape, message, data: { ...rest, ...data } };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/** Maps domain errors thrown anywhere below to tRPC codes. */
const mapErrors = t.middleware(async ({ next }) => {
  const res = await next();
  if (!res.ok) throw toTRPCError(res.error.cause ?? res.error);
  return res;
});

export const publicProcedure = t.procedure.use(mapErrors);

/** A signed-in user or a valid API token. Read-only tokens cannot call mutations. */
export const protectedProcedure = publicProcedure.use(({ ctx, type, next }) => {
  if (ctx.authError) throw ctx.authError;
  if (!ctx.user && !ctx.token) {
    throw new AppError("UNAUTHORIZED", "Sign in, or send an API token (Authorization: Bearer nuage_…)");
  }
  if (type === "mutation" && ctx.user && verifyViewAs(cookie(ctx.headers, VIEW_AS_COOKIE), ctx.user.id)) {
    throw new AppError(
      "FORBIDDEN",
      "You are viewing the portal as a tenant (read-only): end the view in the banner to make changes",
    );
  }
  if (ctx.token && ctx.token.scope === "read" && type === "mutation") {
    throw new AppError(
      "FORBIDDEN",
      "This API token is read-only (scope read); this action needs a token with the write scope",
    );
  }
  return next({ ctx: { ...ctx, principal: ctx.user ? ("user" as const) : ("token" as const) } });
});

/** A signed-in user (not an API token): account actions. */
export const userProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new AppError("FORBIDDEN", "This action needs a signed-in user; API tokens cannot perform it");
  return next({ ctx: { ...ctx, user: ctx.user } });
});

function safeDecode(v: string): string | null {
  try {
    return decodeURIComponent(v);
  } catch {
    return null; // a malformed cookie is ignored, not an internal error
  }
}

function cookie(headers: Headers, name: string): string | null {
  for (const part of (headers.get("cookie") ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return safeDecode(part.slice(i + 1).trim());
  }
  return null;
}

/**
 * "View as tenant" (admin console): a platform admin's signed nuage_view_as cookie names the org
 * they read as, with the viewer role; mutations are refused above while it is set.
 */
async function viewAsOrg(userId: string, headers: Headers): Promise<OrgContext | null> {
  const orgId = verifyViewAs(cookie(headers, VIEW_AS_COOKIE), userId);
  if (!orgId || !(await getUser(userId))?.isPlatformAdmin) return null;
  const o = await getOrg(orgId);
  return { id: o.id, name: o.name, role: "viewer" };
}

/**
 * The session's org: a view-as cookie (platform admins), the x-nuage-org header (must be a
 * membership), the nuage_org cookie, else the oldest membership.
 */
export async function sessionOrg(userId: string, headers: Headers) {
  const viewing = await viewAsOrg(userId, headers);
  if (viewing) return viewing;
  const header = headers.get("x-nuage-org");
  return resolveUserOrg(userId, header ? { orgId: header, strict: true } : { orgId: cookie(headers, "nuage_org") });
}

export interface OrgContext {
  id: string;
  name: string;
  role: Role;
}

/** The current org: the token's, or the session's (x-nuage-org header, nuage_org cookie, oldest membership). */
export const orgProcedure = protectedProcedure.use(async ({ ctx, next }) => {
  let org: OrgContext;
  let scope: OrgScope;
  if (ctx.token) {
    const o = await getOrg(ctx.token.orgId);
    // Tokens act with admin rights in their org; `read` tokens are stopped at mutations above.
    org = { id: o.id, name: o.name, role: "admin" };
    scope = {
      orgId: o.id,
      role: "admin",
      actor: { type: "token", tokenId: ctx.token.tokenId, createdById: ctx.token.createdById, ip: ctx.ip },
    };
  } else {
    const user = ctx.user!;
    const found = await sessionOrg(user.id, ctx.headers);
    if (!found) throw new AppError("NOT_FOUND", "You are not a member of any organization yet: create one");
    org = found;
    scope = { orgId: found.id, role: found.role, actor: { type: "user", userId: user.id, ip: ctx.ip } };
  }
  return next({ ctx: { ...ctx, org, scope } });
});

/** orgProcedure plus a minimum role; `what` completes "Your role (viewer) cannot …". */
export function orgRoleProcedure(min: Role, what: string) {
  return orgProcedure.use(({ ctx, next }) => {
    requireRole(ctx.org.role, min, what);
    return next();
  });
}

/**
 * Platform admins (sessions only). Everyone else gets NOT_FOUND, as if the console did not
 * exist, and a signed-in user's or token's attempt is audited (`admin.denied`).
 */
export const platformAdminProcedure = publicProcedure.use(async ({ ctx, path, next }) => {
  if (!ctx.authError && ctx.user?.isPlatformAdmin) return next({ ctx: { ...ctx, user: ctx.user } });
  if (ctx.user) {
    await recordAdminDenied({ type: "user", userId: ctx.user.id, ip: ctx.ip }, { kind: "procedure", path });
  } else if (ctx.token) {
    await recordAdminDenied(
      { type: "token", tokenId: ctx.token.tokenId, createdById: ctx.token.createdById, ip: ctx.ip },
      { kind: "procedure", path },
    );
  }
  throw new AppError("NOT_FOUND", "Not found");
});

export { TRPCError };
