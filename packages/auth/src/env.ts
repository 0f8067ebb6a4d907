import { z } from "zod";

const ZAuthEnv = z.object({
  NEXTAUTH_SECRET: z
    .string({ error: "NEXTAUTH_SECRET is required (a long random string)" })
    .min(16, "NEXTAUTH_SECRET must be at least 16 characters"),
  NEXTAUTH_URL: z.string().optional(),
  GITHUB_ID: z.string().optional(),
  GITHUB_SECRET: z.string().optional(),
  GOOGLE_ID: z.string().optional(),
  GOOGLE_SECRET: z.string().optional(),
});
export type AuthEnv = z.infer<typeof ZAuthEnv>;

/** The auth slice of the environment; read lazily so importing the package never throws. */
export function authEnv(): AuthEnv {
  const keys = Object.keys(ZAuthEnv.shape) as (keyof typeof ZAuthEnv.shape)[];
  const parsed = ZAuthEnv.safeParse(Object.fromEntries(keys.map((k) => [k, process.env[k] || undefined])));
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join("; "));
  return parsed.data;
}
