// `npm test`: the same service set-up as `npm start`, then every check. Exits non-zero on any
// failure and ends with one summary line ("N passed, N failed").
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DATA, ensureChromium, ensureDependencies, ensureServices, log, ROOT, stopServices } from "./services.mjs";

const started = Date.now();
ensureDependencies();
const chromium = ensureChromium();
const svc = await ensureServices({ database: "nuage_test" });
const env = {
  ...process.env,
  ...svc,
  NODE_ENV: "test",
  NUAGE_TEST: "1",
  CHROMIUM_PATH: chromium,
  PATH: `${join(ROOT, "node_modules", ".bin")}:${process.env.PATH}`,
};
rmSync(join(DATA, "test-reports"), { recursive: true, force: true });
mkdirSync(join(DATA, "test-reports"), { recursive: true });

function run(name, cmd, args, extraEnv = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    log(`▶ ${name}`);
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...env, ...extraEnv }, stdio: "inherit" });
    child.on("exit", (code, signal) => {
      const ok = code === 0;
      log(
        `${ok ? "✔" : "✘"} ${name} (${((Date.now() - t0) / 1000).toFixed(1)}s)${ok ? "" : ` exit ${code ?? signal}`}`,
      );
      resolve(ok);
    });
  });
}

const results = [];
/** A step counts as one check, unless `count` reads its runner's report: then its test cases count. */
async function step(name, cmd, args, extraEnv, count) {
  results.push({ name, ok: await run(name, cmd, args, extraEnv), count });
}

function readReport(file) {
  try {
    return JSON.parse(readFileSync(join(DATA, "test-reports", file), "utf8"));
  } catch {
    return null;
  }
}
const vitestCount = () => {
  const v = readReport("vitest.json");
  return v && { passed: v.numPassedTests, failed: v.numFailedTests };
};
const playwrightCount = () => {
  const p = readReport("playwright.json");
  return p && { passed: p.stats.expected + (p.stats.flaky ?? 0), failed: p.stats.unexpected };
};

let interrupted = false;
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, async () => {
    interrupted = true;
    await stopServices();
    process.exit(130);
  });
}

// Set-up: generated client and migrations on the test database.
await step("prisma generate", "npm", ["run", "generate", "-w", "@nuage/db", "--silent"]);
if (existsSync(join(ROOT, "packages/db/src/scripts/migrate.ts"))) {
  await step("migrate test database", "tsx", ["packages/db/src/scripts/migrate.ts"]);
}
if (results.every((r) => r.ok)) {
  await step("lint (biome)", "biome", ["ci", "--reporter=summary", "."]);
  await step("typecheck", "turbo", ["run", "typecheck", "--output-logs=errors-only"]);
  const vitestReport = join(DATA, "test-reports", "vitest.json");
  await step(
    "unit + integration (vitest)",
    "vitest",
    ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${vitestReport}`],
    {},
    vitestCount,
  );
  if (existsSync(join(ROOT, "e2e/playwright.config.ts"))) {
    await step(
      "end-to-end (playwright, chromium)",
      "playwright",
      ["test", "-c", "e2e/playwright.config.ts", "--reporter=list,json"],
      { PLAYWRIGHT_JSON_OUTPUT_NAME: join(DATA, "test-reports", "playwright.json") },
      playwrightCount,
    );
  }
}

await stopServices();
if (interrupted) process.exit(130);

// Summary: test cases where a runner reports them, one check per other step. A runner that
// failed without reporting a failed case (it crashed) counts as one failure.
let passed = 0;
let failed = 0;
for (const r of results) {
  const c = r.count?.();
  if (c) {
    log(`${r.name}: ${c.passed} passed, ${c.failed} failed`);
    passed += c.passed;
    failed += c.failed || (r.ok ? 0 : 1);
  } else if (r.ok) passed++;
  else failed++;
}
const secs = ((Date.now() - started) / 1000).toFixed(0);
for (const r of results) log(`${r.ok ? "✔" : "✘"} ${r.name}`);
log(`done in ${secs}s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
