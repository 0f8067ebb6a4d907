import { appRouter, createTRPCContext } from "@nuage/api";
import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { headers } from "next/headers";
import { cache, type ReactNode } from "react";
import { makeQueryClient } from "./query-client";

const createContext = cache(async () => createTRPCContext({ headers: new Headers(await headers()) }));

/** A tRPC caller for server components, with the request's cookies (session, current org). */
export const getCaller = cache(async () => appRouter.createCaller(await createContext()));

/** The request's QueryClient: server components prefetch into it, HydrateClient hands it over. */
export const getQueryClient = cache(makeQueryClient);

/** Query options on the server, e.g. `getQueryClient().prefetchQuery(trpc.members.list.queryOptions())`. */
export const trpc = createTRPCOptionsProxy({ ctx: createContext, router: appRouter, queryClient: getQueryClient });

export function HydrateClient({ children }: { children: ReactNode }) {
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}
