import { z } from "zod";

const ZJobsEnv = z.object({
  REDIS_URL: z
    .string({ error: "REDIS_URL is required (redis://host:port)" })
    .regex(/^rediss?:\/\//, "REDIS_URL must be a redis:// URL"),
  // Key prefix of every queue: lets tests (or two installs) share one Redis without meeting.
  NUAGE_QUEUE_PREFIX: z
    .string()
    .regex(/^[\w-]+$/, "NUAGE_QUEUE_PREFIX may hold letters, digits, _ and -")
    .default("nuage"),
});

let cached: z.infer<typeof ZJobsEnv> | undefined;
/** The Redis slice of the environment; fails naming the variable. */
export function jobsEnv(): z.infer<typeof ZJobsEnv> {
  if (cached) return cached;
  const parsed = ZJobsEnv.safeParse({
    REDIS_URL: process.env.REDIS_URL,
    NUAGE_QUEUE_PREFIX: process.env.NUAGE_QUEUE_PREFIX || undefined,
  });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join("; "));
  cached = parsed.data;
  return cached;
}
