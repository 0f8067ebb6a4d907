import { z } from "zod";

const ZDbEnv = z.object({
  DATABASE_URL: z
    .string({ error: "DATABASE_URL is required (postgresql://user:password@host:port/database)" })
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgresql:// URL"),
});

let cached: z.infer<typeof ZDbEnv> | undefined;
/** The database slice of the environment; fails naming the variable. */
export function dbEnv(): z.infer<typeof ZDbEnv> {
  if (cached) return cached;
  const parsed = ZDbEnv.safeParse({ DATABASE_URL: process.env.DATABASE_URL });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join("; "));
  cached = parsed.data;
  return cached;
}
