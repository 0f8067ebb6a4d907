// Metering's slice of the environment, read on each call (tests change it).
import { z } from "zod";

const ZMeteringEnv = z.object({
  NUAGE_METERING_INTERVAL_SECONDS: z.coerce
    .number({ error: "NUAGE_METERING_INTERVAL_SECONDS must be a whole number of seconds" })
    .int("NUAGE_METERING_INTERVAL_SECONDS must be a whole number of seconds")
    .min(1, "NUAGE_METERING_INTERVAL_SECONDS must be at least 1")
    .max(3600, "NUAGE_METERING_INTERVAL_SECONDS must be at most 3600")
    .refine((n) => 3600 % n === 0, "NUAGE_METERING_INTERVAL_SECONDS must divide an hour (e.g. 10, 30, 60, 300)")
    .default(60),
  /** How long after a window ends it is collected, so the provider's records of its last second are in. */
  NUAGE_METERING_LAG_MS: z.coerce.number().int().min(0).default(2000),
  /** How many hours of a cluster's missed windows one run fills (the next run continues). */
  NUAGE_METERING_MAX_CATCHUP_HOURS: z.coerce.number().int().min(1).default(72),
});

export type MeteringEnv = z.infer<typeof ZMeteringEnv>;

export function meteringEnv(): MeteringEnv {
  const keys = Object.keys(ZMeteringEnv.shape) as (keyof typeof ZMeteringEnv.shape)[];
  const parsed = ZMeteringEnv.safeParse(Object.fromEntries(keys.map((k) => [k, process.env[k] || undefined])));
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join("; "));
  return parsed.data;
}
