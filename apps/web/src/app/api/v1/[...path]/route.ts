import { handleRestRequest } from "@nuage/api";

// Everything under /api/v1 (the REST API and its OpenAPI document) is served by @nuage/api.
export const dynamic = "force-dynamic";

function handler(req: Request): Promise<Response> {
  return handleRestRequest(req);
}

export {
  handler as DELETE,
  handler as GET,
  handler as HEAD,
  handler as OPTIONS,
  handler as PATCH,
  handler as POST,
  handler as PUT,
};
