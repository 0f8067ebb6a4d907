import { defaultShouldDehydrateQuery, QueryClient } from "@tanstack/react-query";
import superjson from "superjson";

/** One QueryClient shape for the server (prefetch + dehydrate) and the browser (hydrate). */
export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        // Do not hammer the server with retries of a refused (4xx) call.
        retry: (count, error) => {
          const code = (error as { data?: { httpStatus?: number } }).data?.httpStatus;
          if (code && code >= 400 && code < 500) return false;
          return count < 2;
        },
      },
      dehydrate: {
        serializeData: superjson.serialize,
        shouldDehydrateQuery: (q) => defaultShouldDehydrateQuery(q) || q.state.status === "pending",
      },
      hydrate: { deserializeData: superjson.deserialize },
    },
  });
}
