import { coreEnv, meteringEnv } from "@nuage/core";
import { dbEnv } from "@nuage/db";
import { jobsEnv } from "@nuage/jobs";
import { z } from "zod";

const ZWorkerEnv = z.object({
  NUAGE_WORKER_PORT: z.coerce
    .number({ error: "NUAGE_WORKER_PORT must be a port number" })
    .int()
    .min(0)
    .max(65535, "NUAGE_WORKER_PORT must be a port number")
    .default(3001),
});

/** The worker's environment, checked at start: a bad variable fails naming it. */
export function workerEnv() {
  const parsed = ZWorkerEnv.safeParse({ NUAGE_WORKER_PORT: process.env.NUAGE_WORKER_PORT || undefined });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join("; "));
  return { ...parsed.data, ...dbEnv(), ...jobsEnv(), ...coreEnv(), ...meteringEnv() };
}
