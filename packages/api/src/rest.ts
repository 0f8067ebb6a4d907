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
  // GET /usage.csv: the CSV of GET /usage/export as a file (text/csv), for scripts and spreadsheets.
  if (url.pathname.replace(/\/$/, "") === `${REST_PREFIX}/usage.csv`) return usageCsvResponse(req, url);
  const res = await createOpenApiFetchHandler({
    endpoint: REST_PREFIX,
    router: appRouter,
    // REST authenticates with API tokens only: cookies are ignored.
    createContext: () => createTRPCContext({ headers: req.headers, session: null }),
    req,
  });
  return res.status === 400 ? nameFieldsInMessage(res) : res;
}

async function usageCsvResponse(req: Request, url: URL): Promise<Response> {
  if (req.method !== "GET") return Response.json({ message: "Method not allowed" }, { status: 405 });
  const res = await handleRestRequest(
    new Request(`${url.origin}${REST_PREFIX}/usage/export${url.search}`, { method: "GET", headers: req.headers }),
  );
  if (!res.ok) return res;
  const { filename, csv } = (await res.json()) as { filename: string; csv: string };
  return new Response(csv, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${filename}"`,
    },
  });
}

/** trpc-to-openapi says "Input validation failed": say which fields and why instead. */
async function nameFieldsInMessage(res: Response): Promise<Response> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { message?: string; data?: { fieldErrors?: Record<string, string> } };
    const fields = body.data?.fieldErrors;
    if (body.message === "Input validation failed" && fields && Object.keys(fields).length) {
      body.message = Object.entries(fields)
        .map(([k, v]) => `${k}: ${v}`)
        .join("; ");
      const headers = new Headers(res.headers);
      headers.delete("content-length");
      return Response.json(body, { status: 400, headers });
    }
  } catch {}
  return new Response(text, { status: res.status, headers: res.headers });
}
