// A worker process that runs only the billing queue (spawned by the billing kill test; can be scaled apart).
import { closeDb } from "@nuage/db";
import { closeQueues, closeRedis } from "@nuage/jobs";
import { startBillingProcessors } from "./processor.ts";

const workers = await startBillingProcessors();
console.log("[billing] processing");

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`[billing] ${signal}: finishing the current job…`);
  const force = setTimeout(() => process.exit(1), 30_000);
  force.unref();
  await Promise.allSettled(workers.map((w) => w.close()));
  await Promise.allSettled([closeQueues(), closeRedis(), closeDb()]);
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
