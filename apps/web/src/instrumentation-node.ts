import { checkEnvAtStart } from "./env";

// Node-only start-up (imported by instrumentation.ts under NEXT_RUNTIME=nodejs), so the Edge
// bundle never sees process.exit.
try {
  checkEnvAtStart();
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
