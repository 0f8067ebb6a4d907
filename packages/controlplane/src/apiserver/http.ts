import type { IncomingMessage, ServerResponse } from "node:http";
import type { RbacAuthorizer } from "../auth/rbac.ts";
import type { Store } from "./store.ts";
import type { Subresources } from "./subresources.ts";

export interface HttpOptions {
  version?: string;
}

export function createHttpHandler(
  _opts: HttpOptions & { store: Store; subs: Subresources; authorizer: RbacAuthorizer },
) {
  return {
    handle(_req: IncomingMessage, res: ServerResponse) {
      res.statusCode = 404;
      res.end();
    },
    stop() {},
  };
}
