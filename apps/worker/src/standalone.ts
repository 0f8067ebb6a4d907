// One queue's processors as a process of their own (scaled apart from the main worker, or
// spawned by tests that SIGKILL it): logs under a tag, and on SIGTERM/SIGINT finishes the job in
// hand before closing its connections (forced after 30 s).
import { closeDb } from "@nuage/db";
import { closeQueues, closeRedis } from "@nuage/jobs";

export async function runStandalone(tag: string, start: () => Promise<Array<{ close(): Promise<void> }>>) {
  const workers = await start();
  console.log(`[${tag}] processing`);
  let stopping = false;
  async function shutdown(signal: string) {
    if (stopping) return;
    stopping = true;
    console.log(`[${tag}] ${signal}: finishing the current job…`);
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    await Promise.allSettled(workers.map((w) => w.close()));
    await Promise.allSettled([closeQueues(), closeRedis(), closeDb()]);
    process.exit(0);
  }
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}
