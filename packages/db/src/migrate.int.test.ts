import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMigrations } from "./engine.ts";
import { migrate } from "./migrate.ts";

// A fresh database of our own on the test server, dropped afterwards.
const base = process.env.DATABASE_URL!;
const name = `nuage_mig_${randomBytes(4).toString("hex")}`;
const url = new URL(base);
url.pathname = `/${name}`;

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: base });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

beforeAll(() => admin((c) => c.query(`CREATE DATABASE "${name}"`)));
afterAll(() => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)));

describe("migrate", () => {
  it("applies every migration to an empty database, then nothing the second time", async () => {
    const all = readMigrations().migrationDirectories.map((d) => d.path);
    expect(all.length).toBeGreaterThan(0);
    const first = await migrate(url.toString());
    expect(first.applied).toEqual(all);
    const second = await migrate(url.toString());
    expect(second.applied).toEqual([]);
    const c = new pg.Client({ connectionString: url.toString() });
    await c.connect();
    try {
      const { rows } = await c.query(
        `SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name`,
      );
      expect(rows.map((r) => r.migration_name)).toEqual(all);
      expect(rows.every((r) => r.finished_at !== null)).toBe(true);
      const users = await c.query(`SELECT count(*)::int AS n FROM "User"`);
      expect(users.rows[0].n).toBe(0);
    } finally {
      await c.end();
    }
  });
});
