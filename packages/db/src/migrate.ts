// Applies prisma/migrations to a PostgreSQL database through the WebAssembly schema engine and
// records them in `_prisma_migrations` (the table the Prisma CLI uses). Idempotent.
import { PrismaPg } from "@prisma/adapter-pg";
import { emptyFilter, openEngine, readMigrations } from "./engine.ts";

export async function migrate(databaseUrl: string): Promise<{ applied: string[] }> {
  const engine = await openEngine(new PrismaPg({ connectionString: databaseUrl }));
  try {
    const out = await engine.applyMigrations({ migrationsList: readMigrations(), filters: emptyFilter });
    return { applied: out.appliedMigrationNames };
  } finally {
    engine.free();
  }
}
