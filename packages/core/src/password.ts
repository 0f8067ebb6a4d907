import { hash, verify } from "@node-rs/argon2";
import { z } from "zod";

export const PASSWORD_POLICY =
  "Password must be 10 to 128 characters long and contain at least one letter and one digit";

export const ZPassword = z
  .string({ error: "Password is required" })
  .min(10, PASSWORD_POLICY)
  .max(128, PASSWORD_POLICY)
  .refine((p) => /\p{L}/u.test(p) && /\d/.test(p), PASSWORD_POLICY);

// Argon2id (algorithm 2) with OWASP's recommended memory/time costs.
const OPTS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** Verifies against a fixed hash so an unknown e-mail costs the same time as a wrong password. */
let dummy: Promise<string> | undefined;
export async function burnPasswordTime(password: string): Promise<void> {
  dummy ??= hashPassword("not-a-real-password-0");
  await verifyPassword(await dummy, password);
}
