// Loads Prisma's WebAssembly schema engine (no native binary, no network) over a driver adapter.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import type { MigrationList, SchemaEngine } from "@prisma/schema-engine-wasm";

const require = createRequire(import.meta.url);

type EngineModule = { SchemaEngine: typeof SchemaEngine };
let loaded: Promise<EngineModule> | undefined;

async function loadEngine(): Promise<EngineModule> {
  // The package's entry imports the .wasm as an ES module, which Node 20 cannot do: instantiate by hand.
  const bgPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const dir = dirname(bgPath);
  const bg = await import(pathToFileURL(bgPath).href);
  const { instance } = await WebAssembly.instantiate(readFileSync(join(dir, "schema_engine_bg.wasm")), {
    "./schema_engine_bg.js": bg,
  });
  bg.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
  return bg as EngineModule;
}

export async function openEngine(
  adapter: SqlMigrationAwareDriverAdapterFactory,
  datamodels?: [string, string][],
): Promise<SchemaEngine> {
  loaded ??= loadEngine();
  const { SchemaEngine } = await loaded;
  const quiet = () => {};
  return SchemaEngine.new({ datamodels }, quiet, bindMigrationAwareSqlAdapterFactory(adapter));
}

export const emptyFilter = { externalTables: [], externalEnums: [] };

export function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
}

/** Reads prisma/migrations/* as the engine expects them (directories sorted by name). */
export function readMigrations(baseDir = join(repoRoot(), "prisma", "migrations")): MigrationList {
  let dirs: string[] = [];
  try {
    dirs = readdirSync(baseDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch {}
  let lock: string | null = null;
  try {
    lock = readFileSync(join(baseDir, "migration_lock.toml"), "utf8");
  } catch {}
  return {
    baseDir,
    lockfile: { path: "migration_lock.toml", content: lock },
    shadowDbInitScript: "",
    migrationDirectories: dirs.map((name) => {
      let content: { tag: "ok"; value: string } | { tag: "error"; value: string };
      try {
        content = { tag: "ok", value: readFileSync(join(baseDir, name, "migration.sql"), "utf8") };
      } catch (e) {
        content = { tag: "error", value: String(e) };
      }
      return { path: name, migrationFile: { path: "migration.sql", content } };
    }),
  };
}
