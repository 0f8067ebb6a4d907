import { adminRouter } from "./routers/admin/index.ts";
import { auditRouter } from "./routers/audit.ts";
import { authRouter } from "./routers/auth.ts";
import { billingRouter } from "./routers/billing/index.ts";
import { catalogRouter } from "./routers/clusters/catalog.ts";
import { clustersRouter } from "./routers/clusters/clusters.ts";
import { credentialsRouter } from "./routers/clusters/credentials.ts";
import { operationsRouter } from "./routers/clusters/operations.ts";
import { invitationsRouter } from "./routers/invitations.ts";
import { meRouter } from "./routers/me.ts";
import { membersRouter } from "./routers/members.ts";
import { namespacesRouter } from "./routers/namespaces/namespaces.ts";
import { configMapsRouter, namespaceAccessRouter, secretsRouter } from "./routers/namespaces/secrets.ts";
import { orgRouter } from "./routers/org.ts";
import { tokensRouter } from "./routers/tokens.ts";
import { usageRouter } from "./routers/usage.ts";
import { createCallerFactory, router } from "./trpc.ts";

export const appRouter = router({
  auth: authRouter,
  me: meRouter,
  org: orgRouter,
  members: membersRouter,
  invitations: invitationsRouter,
  tokens: tokensRouter,
  audit: auditRouter,
  admin: adminRouter,
  billing: billingRouter,
  catalog: catalogRouter,
  clusters: clustersRouter,
  operations: operationsRouter,
  credentials: credentialsRouter,
  namespaces: namespacesRouter,
  secrets: secretsRouter,
  configMaps: configMapsRouter,
  namespaceAccess: namespaceAccessRouter,
  usage: usageRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side caller: `createCaller(await createTRPCContext({ headers, session }))`. */
export const createCaller = createCallerFactory(appRouter);
