// Applies prisma/migrations to a PostgreSQL database through the WebAssembly schema engine and
// records them in `_prisma_migrations` (the table the Prisma CLI uses). Idempotent.
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { emptyFilter, openEngine, readMigrations } from "./engine.ts";

export async function migrate(databaseUrl: string): Promise<{ applied: string[] }> {
  // Our own pool, ended afterwards: the engine holds a session advisory lock while it migrates,
  // and only closing its connection releases it for the next caller in this process.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const engine = await openEngine(new PrismaPg(pool));
  try {
    const out = await engine.applyMigrations({ migrationsList: readMigrations(), filters: emptyFilter });
    return { applied: out.appliedMigrationNames };
  } finally {
    engine.free();
    await pool.end();
  }
}
