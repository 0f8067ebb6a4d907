// Polls the database (every 500 ms) and yields the cluster whenever what the user sees changed.
import { getCluster } from "@nuage/core";
import superjson from "superjson";

/** Waits `ms`, or less when the subscription ends; leaves no listener behind on the signal. */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });

export async function* watchCluster(orgId: string, id: string, signal?: AbortSignal, intervalMs = 500) {
  let last = "";
  while (!signal?.aborted) {
    const cluster = await getCluster(orgId, id); // NOT_FOUND ends the subscription with an error
    const { updatedAt: _u, ...rest } = cluster;
    const key = superjson.stringify(rest);
    if (key !== last) {
      last = key;
      yield cluster;
    }
    if (cluster.status === "deleted") return;
    await sleep(intervalMs, signal);
  }
}
