// Runs one command with the environment of a local Nuage: `node infra/with-env.mjs tsx script.ts`.
// Services already running are reused; any this started are stopped when the command ends.
import { spawn } from "node:child_process";
import { ensureDependencies, ensureServices, stopServices } from "./services.mjs";

// --keep-services: leave the services this started running (detached) after the command, for
// commands that leave daemons behind (`npm run localcluster -- up` starts localcloud).
const argv = process.argv.slice(2);
const keep = argv[0] === "--keep-services";
const [cmd, ...args] = keep ? argv.slice(1) : argv;
if (!cmd) {
  console.error("usage: node infra/with-env.mjs <command> [args...]");
  process.exit(2);
}
ensureDependencies();
const env = { ...process.env, ...(await ensureServices({ database: process.env.NUAGE_DATABASE || "nuage" })) };
env.PATH = `${process.cwd()}/node_modules/.bin:${env.PATH}`;
const child = spawn(cmd, args, { stdio: "inherit", env });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", async (code, signal) => {
  if (!keep) await stopServices();
  process.exit(code ?? (signal ? 1 : 0));
});
