import type { IncomingMessage, ServerResponse } from "node:http";
import type { ResourceRequest } from "./rest.ts";

/** Requests served by asking node agents: pods/log and metrics.k8s.io. */
export interface NodeProxy {
  handle(req: IncomingMessage, res: ServerResponse, r: ResourceRequest, q: URLSearchParams): Promise<void>;
}
