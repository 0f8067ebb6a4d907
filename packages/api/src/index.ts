// @nuage/api: tRPC routers, context and the REST/OpenAPI face. The tRPC transformer is superjson
// (clients must use it too).
export { type Context, type CreateContextOptions, createTRPCContext } from "./context.ts";
export { getOpenApiDocument, handleRestRequest, REST_PREFIX } from "./rest.ts";
export { type AppRouter, appRouter, createCaller } from "./root.ts";

import { getOpenApiDocument } from "./rest.ts";
/** The OpenAPI 3 document (lazy: built on first property access). */
export const openApiDocument: ReturnType<typeof getOpenApiDocument> = new Proxy(
  {} as ReturnType<typeof getOpenApiDocument>,
  {
    get: (_t, p) => Reflect.get(getOpenApiDocument(), p),
    ownKeys: () => Reflect.ownKeys(getOpenApiDocument()),
    getOwnPropertyDescriptor: (_t, p) => Reflect.getOwnPropertyDescriptor(getOpenApiDocument(), p),
  },
);
