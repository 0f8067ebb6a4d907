import { z } from "zod";

const ZJobsEnv = z.object({
  REDIS_URL: z
    .string({ error: "REDIS_URL is required (redis://host:port)" })
    .regex(/^rediss?:\/\//, "REDIS_URL must be a redis:// URL"),
});

let cached: z.infer<typeof ZJobsEnv> | undefined;
/** The Redis slice of the environment; fails naming the variable. */
export function jobsEnv(): z.infer<typeof ZJobsEnv> {
  if (cached) return cached;
  const parsed = ZJobsEnv.safeParse({ REDIS_URL: process.env.REDIS_URL });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join("; "));
  cached = parsed.data;
  return cached;
}
