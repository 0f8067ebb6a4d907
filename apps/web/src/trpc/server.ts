import { appRouter, createTRPCContext } from "@nuage/api";
import { headers } from "next/headers";
import { cache } from "react";

/** A tRPC caller for server components, with the request's cookies (session, current org). */
export const getCaller = cache(async () => {
  const h = new Headers(await headers());
  return appRouter.createCaller(await createTRPCContext({ headers: h }));
});
