// A worker process that runs only the billing queue (spawned by the billing kill test; can be scaled apart).
import { runStandalone } from "../standalone.ts";
import { startBillingProcessors } from "./processor.ts";

await runStandalone("billing", startBillingProcessors);
