// REST API under /api/v1, generated from the same tRPC procedures (trpc-to-openapi), with its
// OpenAPI 3 document at /api/v1/openapi.json. Authentication: Authorization: Bearer nuage_…
import { createOpenApiFetchHandler, generateOpenApiDocument } from "trpc-to-openapi";
import { createTRPCContext } from "./context.ts";
import { appRouter } from "./root.ts";

export const REST_PREFIX = "/api/v1";

let doc: ReturnType<typeof generateOpenApiDocument> | undefined;
/** The OpenAPI document (built once, on first use). */
export function getOpenApiDocument(baseUrl = process.env.NUAGE_URL || "http://localhost:3000") {
  doc ??= generateOpenApiDocument(appRouter, {
    title: "Nuage API",
    description: "Managed Kubernetes. Authenticate with an organization API token: Authorization: Bearer nuage_…",
    version: "1.0.0",
    baseUrl: `${baseUrl.replace(/\/$/, "")}${REST_PREFIX}`,
    tags: ["me", "org", "members", "tokens", "audit"],
  });
  return doc;
}

export async function handleRestRequest(req: Request): Promise<Response> {
  const url = new URL(req.url);
  if (url.pathname.replace(/\/$/, "") === `${REST_PREFIX}/openapi.json`) {
    if (req.method !== "GET" && req.method !== "HEAD")
      return Response.json({ message: "Method not allowed" }, { status: 405 });
    return Response.json(getOpenApiDocument());
  }
  return createOpenApiFetchHandler({
    endpoint: REST_PREFIX,
    router: appRouter,
    // REST authenticates with API tokens only: cookies are ignored.
    createContext: () => createTRPCContext({ headers: req.headers, session: null }),
    req,
  });
}
