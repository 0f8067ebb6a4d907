import { authEnv } from "@nuage/auth";
import { coreEnv } from "@nuage/core";
import { z } from "zod";

// What the portal's server needs from its environment. The packages check their own slices
// (authEnv, coreEnv); this adds the portal's and runs them all once at start (instrumentation.ts).
const ZWebEnv = z.object({
  DATABASE_URL: z.string({ error: "DATABASE_URL is required (postgresql://…)" }).startsWith("postgres", {
    error: "DATABASE_URL must be a postgresql:// URL",
  }),
  REDIS_URL: z.string({ error: "REDIS_URL is required (redis://…)" }).startsWith("redis", {
    error: "REDIS_URL must be a redis:// URL",
  }),
  NEXTAUTH_SECRET: z
    .string({ error: "NEXTAUTH_SECRET is required (a long random string)" })
    .min(16, "NEXTAUTH_SECRET must be at least 16 characters"),
  NUAGE_URL: z.url({ error: "NUAGE_URL must be the portal's public URL, e.g. https://nuage.example.com" }).optional(),
  NEXTAUTH_URL: z.url({ error: "NEXTAUTH_URL must be the portal's public URL" }).optional(),
});

type Env = Record<string, string | undefined>;

/** The portal's own variables; the messages name each one that is missing or malformed. */
export function webEnvProblems(env: Env): string[] {
  const keys = Object.keys(ZWebEnv.shape) as (keyof typeof ZWebEnv.shape)[];
  const parsed = ZWebEnv.safeParse(Object.fromEntries(keys.map((k) => [k, env[k] || undefined])));
  return parsed.success ? [] : parsed.error.issues.map((i) => i.message);
}

/** At start: the portal's variables and the packages' slices, in one message. */
export function checkEnvAtStart(): void {
  const problems = webEnvProblems(process.env);
  for (const check of [authEnv, coreEnv]) {
    try {
      check();
    } catch (e) {
      problems.push(e instanceof Error ? e.message : String(e));
    }
  }
  if (problems.length > 0)
    throw new Error(`The portal's environment is incomplete: ${[...new Set(problems)].join("; ")}`);
}
