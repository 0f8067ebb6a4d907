// Per-org data keys for secret values: created on first use, wrapped by NUAGE_MASTER_KEY; values
// are sealed with the org's key and the item id as context. Rotation re-wraps the keys only.
import {
  masterKeyFrom,
  masterKeyId,
  newDataKey,
  openValue,
  rewrapDataKey,
  sealValue,
  unwrapDataKey,
  wrapDataKey,
} from "@nuage/crypto";
import { getDb, isUniqueViolation } from "@nuage/db";

const context = (orgId: string) => `org:${orgId}`;
const master = () => masterKeyFrom(process.env.NUAGE_MASTER_KEY);

async function orgKey(orgId: string): Promise<Buffer> {
  const db = getDb();
  let row = await db.orgDataKey.findUnique({ where: { orgId } });
  if (!row) {
    const m = master();
    const dk = newDataKey();
    try {
      row = await db.orgDataKey.create({
        data: { orgId, wrappedKey: wrapDataKey(m, dk, context(orgId)), masterKeyId: masterKeyId(m) },
      });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      row = await db.orgDataKey.findUniqueOrThrow({ where: { orgId } });
    } finally {
      dk.fill(0);
    }
  }
  return unwrapDataKey(master(), row.wrappedKey, context(orgId));
}

/** Seals a JSON-able value for one item of the org ("ndk1.…"). */
export async function sealForOrg(orgId: string, itemId: string, value: unknown): Promise<string> {
  const k = await orgKey(orgId);
  try {
    return sealValue(k, JSON.stringify(value), `item:${itemId}`);
  } finally {
    k.fill(0);
  }
}

export async function openForOrg<T>(orgId: string, itemId: string, sealed: string): Promise<T> {
  const k = await orgKey(orgId);
  try {
    return JSON.parse(openValue(k, sealed, `item:${itemId}`).toString("utf8")) as T;
  } finally {
    k.fill(0);
  }
}

/**
 * Re-wraps every org data key from `oldKey` to `newKey` (base64, 32 bytes each) in one transaction.
 * Keys already under the new master are skipped, so a rerun after a crash converges. `orgId`
 * limits it to one org (staged rotations, tests on a shared database).
 */
export async function rotateMasterKey(
  oldKey: string | undefined,
  newKey: string | undefined,
  opts: { orgId?: string } = {},
) {
  const oldM = masterKeyFrom(oldKey, "NUAGE_MASTER_KEY");
  const newM = masterKeyFrom(newKey, "NUAGE_NEW_MASTER_KEY");
  const newId = masterKeyId(newM);
  const oldId = masterKeyId(oldM);
  const db = getDb();
  return db.$transaction(
    async (tx) => {
      const rows = await tx.orgDataKey.findMany({ where: opts.orgId ? { orgId: opts.orgId } : {} });
      let rewrapped = 0;
      let skipped = 0;
      for (const r of rows) {
        if (r.masterKeyId === newId) {
          skipped++;
          continue;
        }
        const wrappedKey = rewrapDataKey(oldM, newM, r.wrappedKey, context(r.orgId));
        await tx.orgDataKey.update({
          where: { id: r.id },
          data: { wrappedKey, masterKeyId: newId, rewrappedAt: new Date() },
        });
        rewrapped++;
      }
      return { rewrapped, skipped, from: oldId, to: newId };
    },
    { timeout: 120_000 },
  );
}
