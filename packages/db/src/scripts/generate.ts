// `npm run generate -w @nuage/db`: runs `prisma generate` offline. The Prisma 7 CLI wants a native
// schema engine it would download at run time; generate never runs it, so any existing file will do.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const require = createRequire(import.meta.url);
const cli = join(dirname(require.resolve("prisma/package.json")), "build", "index.js");

const env: NodeJS.ProcessEnv = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;

const r = spawnSync(process.execPath, [cli, "generate", "--config", join(root, "prisma.config.ts")], {
  cwd: root,
  env,
  stdio: process.argv.includes("--quiet") ? ["ignore", "ignore", "inherit"] : "inherit",
});
process.exit(r.status ?? 1);
