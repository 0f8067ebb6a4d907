import { randomBytes } from "node:crypto";
import { getDb } from "@nuage/db";
import { afterAll, describe, expect, it } from "vitest";
import { audit } from "./audit.ts";
import { mutate } from "./tx.ts";

const targets: string[] = [];
afterAll(async () => {
  await getDb().auditLog.deleteMany({ where: { targetId: { in: targets } } });
});

describe("mutate", () => {
  it("rolls the audit row back with the rest of a failed mutation, and skips after-commit hooks", async () => {
    const target = `t-${randomBytes(6).toString("hex")}`;
    targets.push(target);
    let hookRan = false;
    await expect(
      mutate(async (tx, after) => {
        await audit(tx, { type: "system" }, { orgId: null, action: "test.rollback", targetId: target });
        after(async () => {
          hookRan = true;
        });
        throw new Error("boom after the audit row");
      }),
    ).rejects.toThrow("boom after the audit row");
    expect(await getDb().auditLog.count({ where: { targetId: target } })).toBe(0);
    expect(hookRan).toBe(false);
  });

  it("runs after-commit hooks once the rows are visible to other connections; hook failures do not fail the mutation", async () => {
    const target = `t-${randomBytes(6).toString("hex")}`;
    targets.push(target);
    let seen = -1;
    const r = await mutate(async (tx, after) => {
      await audit(tx, { type: "system" }, { orgId: null, action: "test.commit", targetId: target });
      after(async () => {
        seen = await getDb().auditLog.count({ where: { targetId: target } });
      });
      after(async () => {
        throw new Error("queue unavailable");
      });
      return "done";
    });
    expect(r).toBe("done");
    expect(seen).toBe(1);
  });
});
