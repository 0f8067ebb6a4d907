// The Prisma client, cached on globalThis so hot reloads and tests reuse one pool per process.
import { PrismaPg } from "@prisma/adapter-pg";
import { dbEnv } from "./env.ts";
import { Prisma, PrismaClient } from "./generated/prisma/client.ts";

// Secret columns are left out of every result unless a query asks for them
// (`omit: { passwordHash: false }`), so a stray `return row` cannot leak them.
const OMIT = {
  user: { passwordHash: true },
  apiToken: { tokenHash: true },
  invitation: { tokenHash: true },
  emailToken: { tokenHash: true },
} as const;

function createClient() {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: dbEnv().DATABASE_URL, max: 10 }),
    omit: OMIT,
  });
}

export type Db = ReturnType<typeof createClient>;
/** The client inside `$transaction(async (tx) => …)`. */
export type Tx = Omit<Db, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

const g = globalThis as unknown as { __nuageDb?: Db };

export function getDb(): Db {
  g.__nuageDb ??= createClient();
  return g.__nuageDb;
}

export async function closeDb(): Promise<void> {
  const db = g.__nuageDb;
  g.__nuageDb = undefined;
  await db?.$disconnect();
}

/** True when `e` is a unique-constraint violation (optionally on a given field). */
export function isUniqueViolation(e: unknown, field?: string): boolean {
  if (!(e instanceof Prisma.PrismaClientKnownRequestError) || e.code !== "P2002") return false;
  if (!field) return true;
  return JSON.stringify(e.meta ?? {}).includes(field);
}

export { Prisma };
