import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

const repoRoot = resolve(fileURLToPath(import.meta.url), "../../../..");

/** "max/seconds", e.g. "10/300" = 10 attempts per 5 minutes. */
const ZLimit = (name: string, dflt: string) =>
  z
    .string()
    .default(dflt)
    .transform((v, ctx) => {
      const m = /^(\d+)\/(\d+)$/.exec(v.trim());
      if (!m) {
        ctx.addIssue({ code: "custom", message: `${name} must look like "10/300" (attempts/seconds)` });
        return z.NEVER;
      }
      return { max: Number(m[1]), windowSeconds: Number(m[2]) };
    });

const ZCoreEnv = z.object({
  NUAGE_URL: z.url({ error: "NUAGE_URL must be a URL such as http://localhost:3000" }).default("http://localhost:3000"),
  NUAGE_DATA_DIR: z.string().default(join(repoRoot, ".data")),
  NUAGE_MAIL_DIR: z.string().optional(),
  NUAGE_MAIL_FROM: z.string().default("Nuage <no-reply@nuage.local>"),
  SMTP_URL: z.string().optional(),
  NUAGE_RATE_LIMIT_SIGNIN: ZLimit("NUAGE_RATE_LIMIT_SIGNIN", "10/300"),
  NUAGE_RATE_LIMIT_SIGNUP: ZLimit("NUAGE_RATE_LIMIT_SIGNUP", "100/3600"),
  NUAGE_RATE_LIMIT_RESET: ZLimit("NUAGE_RATE_LIMIT_RESET", "5/3600"),
  NUAGE_RATE_LIMIT_TOKEN: ZLimit("NUAGE_RATE_LIMIT_TOKEN", "30/60"),
});
export type CoreEnv = z.infer<typeof ZCoreEnv> & { mailDir: string };

/** The core slice of the environment, read on each call so tests can change limits. */
export function coreEnv(): CoreEnv {
  const keys = Object.keys(ZCoreEnv.shape) as (keyof typeof ZCoreEnv.shape)[];
  const raw = Object.fromEntries(keys.map((k) => [k, process.env[k] || undefined]));
  const parsed = ZCoreEnv.safeParse(raw);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  }
  const dataDir = isAbsolute(parsed.data.NUAGE_DATA_DIR)
    ? parsed.data.NUAGE_DATA_DIR
    : resolve(parsed.data.NUAGE_DATA_DIR);
  return { ...parsed.data, NUAGE_DATA_DIR: dataDir, mailDir: parsed.data.NUAGE_MAIL_DIR || join(dataDir, "mail") };
}
