// The worker process: BullMQ processors, the outbox sweep, /health, graceful SIGTERM/SIGINT.
import { closeDb } from "@nuage/db";
import { closeQueues, closeRedis } from "@nuage/jobs";
import { workerEnv } from "./env.ts";
import { startHealthServer } from "./health.ts";
import { startProcessors } from "./processors.ts";

let env: ReturnType<typeof workerEnv>;
try {
  env = workerEnv();
} catch (e) {
  console.error(`[worker] bad environment: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

const workers = await startProcessors();
const server = await startHealthServer(env.NUAGE_WORKER_PORT);
console.log(`[worker] processing queues; health on http://127.0.0.1:${env.NUAGE_WORKER_PORT}/health`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`[worker] ${signal}: finishing current jobs…`);
  const force = setTimeout(() => process.exit(1), 30_000);
  force.unref();
  server.close();
  await Promise.allSettled(workers.map((w) => w.close()));
  await Promise.allSettled([closeQueues(), closeRedis(), closeDb()]);
  console.log("[worker] stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
