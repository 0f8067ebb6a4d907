import { createServer, type Server } from "node:http";
import { getDb } from "@nuage/db";
import { getQueue, QUEUES } from "@nuage/jobs";

async function probe<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  try {
    const value = await Promise.race([
      fn(),
      new Promise<never>((_, rej) => setTimeout(() => rej(new Error("timeout")), 2_000)),
    ]);
    return { ok: true, value };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

export async function healthReport() {
  const [db, mail, metering] = await Promise.all([
    probe(() => getDb().$queryRaw`SELECT 1`),
    probe(() => getQueue(QUEUES.mail).getJobCounts("waiting", "active", "delayed", "failed")),
    probe(() => getQueue(QUEUES.metering).getJobCounts("waiting", "active", "delayed", "failed")),
  ]);
  const ok = db.ok && mail.ok && metering.ok;
  const redisDown = !mail.ok ? mail.error : !metering.ok ? metering.error : null;
  return {
    status: ok ? "ok" : "degraded",
    database: db.ok ? "up" : `down: ${db.error}`,
    redis: redisDown === null ? "up" : `down: ${redisDown}`,
    queues: { mail: mail.ok ? mail.value : null, metering: metering.ok ? metering.value : null },
  };
}

/** GET /health → 200 with JSON when the database and the queues answer, 503 otherwise. */
export function startHealthServer(port: number): Promise<Server> {
  const server = createServer(async (req, res) => {
    if (req.url?.split("?")[0] !== "/health") {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ message: "Not found" }));
      return;
    }
    const report = await healthReport();
    res.writeHead(report.status === "ok" ? 200 : 503, { "content-type": "application/json" });
    res.end(JSON.stringify(report));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => resolve(server));
  });
}
