import { afterEach, describe, expect, it } from "vitest";
import { workerEnv } from "./env.ts";

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe("worker environment", () => {
  it("defaults the health port to 3001 and names a bad variable", () => {
    process.env.DATABASE_URL = "postgresql://u:p@127.0.0.1:5432/db";
    process.env.REDIS_URL = "redis://127.0.0.1:6379";
    delete process.env.NUAGE_WORKER_PORT;
    expect(workerEnv().NUAGE_WORKER_PORT).toBe(3001);
    process.env.NUAGE_WORKER_PORT = "not-a-port";
    expect(() => workerEnv()).toThrow(/NUAGE_WORKER_PORT/);
  });
});
