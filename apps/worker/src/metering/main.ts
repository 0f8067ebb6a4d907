// A worker process that runs only the metering queue (scaled apart from the main worker, or spawned by tests).
import { runStandalone } from "../standalone.ts";
import { startMeteringProcessors } from "./processor.ts";

await runStandalone("metering", startMeteringProcessors);
