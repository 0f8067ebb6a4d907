// The whole path: a mutation writes the outbox row, enqueues after commit, the BullMQ worker sends.

import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mutate, queueMail } from "@nuage/core";
import { getDb } from "@nuage/db";
import { closeQueues, closeRedis, redis } from "@nuage/jobs";
import type { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const prefix = `test-${randomBytes(4).toString("hex")}`;
process.env.NUAGE_QUEUE_PREFIX = prefix; // read on first use: this file's queues meet no one else's
const dir = mkdtempSync(join(tmpdir(), "nuage-worker-test-"));
process.env.NUAGE_MAIL_DIR = dir;
delete process.env.SMTP_URL;

let workers: Worker[] = [];
const ids: string[] = [];

beforeAll(async () => {
  const { startProcessors } = await import("./processors.ts");
  workers = await startProcessors();
});
afterAll(async () => {
  await Promise.allSettled(workers.map((w) => w.close()));
  const keys = await redis().keys(`${prefix}:*`);
  if (keys.length) await redis().del(...keys);
  await closeQueues();
  await closeRedis();
  await getDb().mailOutbox.deleteMany({ where: { id: { in: ids } } });
  rmSync(dir, { recursive: true, force: true });
});

describe("worker", () => {
  it("sends a mail queued in a transaction once it commits", async () => {
    const id = await mutate((tx, after) =>
      queueMail(tx, after, { to: `w-${prefix}@test.nuage.local`, subject: "Queued", text: "hello" }),
    );
    ids.push(id);
    const deadline = Date.now() + 20_000;
    let status = "pending";
    while (Date.now() < deadline && status === "pending") {
      await new Promise((r) => setTimeout(r, 200));
      status = (await getDb().mailOutbox.findUniqueOrThrow({ where: { id } })).status;
    }
    expect(status).toBe("sent");
    expect(readdirSync(dir).some((f) => f.includes(id))).toBe(true);
  });

  it("answers /health with the database, Redis and queue counts", async () => {
    const { startHealthServer } = await import("./health.ts");
    const server = await startHealthServer(0);
    try {
      const { port } = server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        status: "ok",
        database: "up",
        redis: "up",
        queues: {
          mail: { waiting: expect.any(Number), failed: expect.any(Number) },
          metering: { waiting: expect.any(Number), active: expect.any(Number), failed: expect.any(Number) },
        },
      });
      expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
    } finally {
      server.close();
    }
  });

  it("registers the outbox sweep as a job scheduler", async () => {
    const { getQueue } = await import("@nuage/jobs");
    const schedulers = await getQueue("mail").getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toContain("mail.sweep");
  });
});
