import { appRouter, createTRPCContext } from "@nuage/api";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";

export const dynamic = "force-dynamic";

function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createTRPCContext({ headers: req.headers }),
    // Internal errors reach the client as a generic message: the operator needs the cause here.
    // Refusals (4xx) are the caller's business and are not logged.
    onError: ({ path, error }) => {
      if (error.code === "INTERNAL_SERVER_ERROR")
        console.error(`tRPC ${path ?? "<no-path>"} failed:`, error.cause ?? error);
    },
  });
}

export { handler as GET, handler as POST };
