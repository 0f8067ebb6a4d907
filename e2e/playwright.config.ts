import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "@playwright/test";
import { assertLocalDatabase } from "./support/local-database.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const WEB_PORT = 3100;
const WORKER_PORT = 3101;
const BASE_URL = `http://localhost:${WEB_PORT}`;
// Not 4190: that is ManageSieve, one of the ports fetch() refuses ("bad port").
const LOCALCLOUD_PORT = 4192;
const LOCALCLOUD_URL = `http://127.0.0.1:${LOCALCLOUD_PORT}`;

assertLocalDatabase(process.env.DATABASE_URL);

// One mail folder per run. The config is evaluated again in each test worker: the run id set
// here is inherited through the environment, so all of them agree on the folder.
const MAIL_ROOT = join(ROOT, ".data", "e2e-mail");
if (!process.env.NUAGE_E2E_RUN) {
  process.env.NUAGE_E2E_RUN = `${new Date().toISOString().replace(/[:.]/g, "-")}-${randomBytes(3).toString("hex")}`;
  removeOldRuns(MAIL_ROOT, 24 * 3600_000);
  removeOldRuns(join(tmpdir(), "nuage-e2e-localcloud"), 24 * 3600_000);
}
process.env.NUAGE_MAIL_DIR = join(MAIL_ROOT, process.env.NUAGE_E2E_RUN);
mkdirSync(process.env.NUAGE_MAIL_DIR, { recursive: true });
process.env.NUAGE_URL = BASE_URL;
// localcloud of this run: its own data folder and bearer token (specs read both to check what it holds).
process.env.NUAGE_E2E_LOCALCLOUD_URL = LOCALCLOUD_URL;
process.env.NUAGE_E2E_LOCALCLOUD_TOKEN ??= randomBytes(24).toString("hex");
const LOCALCLOUD_ROOT = join(tmpdir(), "nuage-e2e-localcloud");
// The fake Stripe server of this run (billing spec): API, Checkout page, signed webhooks to the portal.
const STRIPE_FAKE_PORT = 4193;
process.env.NUAGE_E2E_STRIPE_WEBHOOK_SECRET ??= `whsec_${randomBytes(16).toString("hex")}`;
const stripeEnv = {
  STRIPE_SECRET_KEY: "sk_test_nuage_e2e",
  STRIPE_API_BASE: `http://127.0.0.1:${STRIPE_FAKE_PORT}`,
  STRIPE_WEBHOOK_SECRET: process.env.NUAGE_E2E_STRIPE_WEBHOOK_SECRET,
};
const LOCALCLOUD_DATA = join(LOCALCLOUD_ROOT, process.env.NUAGE_E2E_RUN);

/** Mail folders of earlier runs are kept a day for debugging, then removed. */
function removeOldRuns(root: string, maxAgeMs: number): void {
  let names: string[] = [];
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(root, name);
    try {
      if (Date.now() - statSync(dir).mtimeMs > maxAgeMs) rmSync(dir, { recursive: true, force: true });
    } catch {
      // Another run may be removing it too.
    }
  }
}

const serverEnv: Record<string, string> = {
  ...(process.env as Record<string, string>),
  NUAGE_URL: BASE_URL,
  NEXTAUTH_URL: BASE_URL,
  NUAGE_MAIL_DIR: process.env.NUAGE_MAIL_DIR,
  // Queues of their own: a worker of `npm start` or of another suite on the same Redis cannot
  // take this run's mail jobs (it would look for them in another database).
  NUAGE_QUEUE_PREFIX: "nuage-e2e",
  // Every test signs users up from the same address, and Redis (hence the counters) is shared
  // with other runs of the last hour: the per-IP limits are raised so runs do not trip them.
  NUAGE_RATE_LIMIT_SIGNUP: "2000/3600",
  NUAGE_RATE_LIMIT_SIGNIN: "200/300",
  NUAGE_RATE_LIMIT_RESET: "50/3600",
  NUAGE_LOCALCLOUD_URL: LOCALCLOUD_URL,
  NUAGE_LOCALCLOUD_TOKEN: process.env.NUAGE_E2E_LOCALCLOUD_TOKEN,
  ...stripeEnv,
};

const build = process.env.NUAGE_E2E_SKIP_BUILD === "1" ? "" : "npx next build && ";

export default defineConfig({
  testDir: "./specs",
  outputDir: join(ROOT, ".data", "e2e-results"),
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: true,
  timeout: 45_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL: BASE_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--headless",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: [
    {
      command: "npx tsx packages/core/src/billing/testing/stripe-fake-main.ts",
      cwd: ROOT,
      url: `http://127.0.0.1:${STRIPE_FAKE_PORT}/healthz`,
      env: {
        ...(process.env as Record<string, string>),
        ...stripeEnv,
        NUAGE_STRIPE_FAKE_PORT: String(STRIPE_FAKE_PORT),
        NUAGE_STRIPE_FAKE_WEBHOOK_URL: `${BASE_URL}/api/stripe/webhook`,
      },
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      command: `${build}npx next start -p ${WEB_PORT}`,
      cwd: join(ROOT, "apps/web"),
      url: `${BASE_URL}/api/auth/providers`,
      env: { ...serverEnv, NODE_ENV: "production", PORT: String(WEB_PORT) },
      timeout: 240_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      command: "npx tsx apps/worker/src/main.ts",
      cwd: ROOT,
      url: `http://localhost:${WORKER_PORT}/health`,
      env: { ...serverEnv, NUAGE_WORKER_PORT: String(WORKER_PORT) },
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
      gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
    },
    {
      // The embedded cloud the worker provisions clusters on (control planes, VMs with node agents).
      command: "npx tsx apps/localcloud/src/main.ts",
      cwd: ROOT,
      url: `${LOCALCLOUD_URL}/healthz`,
      env: {
        ...(process.env as Record<string, string>),
        NUAGE_LOCALCLOUD_PORT: String(LOCALCLOUD_PORT),
        NUAGE_LOCALCLOUD_TOKEN: process.env.NUAGE_E2E_LOCALCLOUD_TOKEN,
        NUAGE_DATA_DIR: LOCALCLOUD_DATA,
      },
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
      gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
    },
  ],
});
