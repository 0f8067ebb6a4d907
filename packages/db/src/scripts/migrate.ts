// `tsx packages/db/src/scripts/migrate.ts`: applies pending migrations to DATABASE_URL.
import { dbEnv } from "../env.ts";
import { migrate } from "../migrate.ts";

const started = Date.now();
try {
  const { applied } = await migrate(dbEnv().DATABASE_URL);
  const what = applied.length ? `applied ${applied.join(", ")}` : "database already up to date";
  process.stdout.write(`migrations: ${what} (${Date.now() - started} ms)\n`);
  process.exit(0);
} catch (e) {
  process.stderr.write(`migrations failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
