// localcloud daemon: `tsx apps/localcloud/src/main.ts`.
import { Cloud } from "./cloud.ts";
import { loadEnv } from "./env.ts";
import { createApiServer } from "./http.ts";

const log = (msg: string, fields?: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg, ...fields })}\n`);

const env = loadEnv();
const cloud = new Cloud({
  dataDir: env.dataDir,
  etcdUrl: env.etcdUrl,
  regions: env.regions,
  hostsPerZone: env.hostsPerZone,
  warmPool: env.warmPool,
  log,
});
cloud.resume();
const server = createApiServer(cloud, env.token, log);
server.listen(env.port, env.host, () => {
  log("localcloud listening", { host: env.host, port: env.port, auth: env.token ? "bearer" : "none" });
});
let closing = false;
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, async () => {
    if (closing) return;
    closing = true;
    server.close();
    await cloud.close();
    process.exit(0);
  });
}
