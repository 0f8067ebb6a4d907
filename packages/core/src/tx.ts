import { getDb, type Tx } from "@nuage/db";

export type AfterCommit = (fn: () => Promise<unknown>) => void;

/**
 * Runs `fn` in one transaction (the audit row included); hooks registered with `after` run once
 * the transaction has committed (enqueueing jobs), and their failures are logged, not thrown:
 * the outbox sweep catches up.
 */
export async function mutate<T>(fn: (tx: Tx, after: AfterCommit) => Promise<T>): Promise<T> {
  const hooks: (() => Promise<unknown>)[] = [];
  const result = await getDb().$transaction((tx) => fn(tx, (h) => hooks.push(h)), { timeout: 15_000 });
  for (const h of hooks) {
    try {
      await h();
    } catch (e) {
      console.warn(`[nuage] after-commit hook failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return result;
}

/** Serialises membership changes of one org (last-owner rules) for the rest of the transaction. */
export async function lockOrg(tx: Tx, orgId: string): Promise<void> {
  await tx.$executeRaw`SELECT 1 FROM "Org" WHERE "id" = ${orgId} FOR UPDATE`;
}
