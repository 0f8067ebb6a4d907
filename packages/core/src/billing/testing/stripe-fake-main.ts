// Runs the fake Stripe server as a process (the end-to-end tests start it from e2e/playwright.config.ts).
// NUAGE_STRIPE_FAKE_PORT, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, NUAGE_STRIPE_FAKE_WEBHOOK_URL.
import { StripeFake } from "./stripe-fake.ts";

const fake = await new StripeFake({
  port: Number(process.env.NUAGE_STRIPE_FAKE_PORT ?? 4193),
  apiKey: process.env.STRIPE_SECRET_KEY,
  webhookSecret: process.env.STRIPE_WEBHOOK_SECRET,
  webhookUrl: process.env.NUAGE_STRIPE_FAKE_WEBHOOK_URL,
}).start();
console.log(`[stripe-fake] listening on ${fake.url}`);
const stop = async () => {
  await fake.stop();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
