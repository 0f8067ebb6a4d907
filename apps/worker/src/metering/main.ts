// A worker process that runs only the metering queue (scaled apart from the main worker, or spawned by tests).
import { closeDb } from "@nuage/db";
import { closeQueues, closeRedis } from "@nuage/jobs";
import { startMeteringProcessors } from "./processor.ts";

const workers = await startMeteringProcessors();
console.log("[metering] collecting");

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`[metering] ${signal}: finishing the current run…`);
  const force = setTimeout(() => process.exit(1), 30_000);
  force.unref();
  await Promise.allSettled(workers.map((w) => w.close()));
  await Promise.allSettled([closeQueues(), closeRedis(), closeDb()]);
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
