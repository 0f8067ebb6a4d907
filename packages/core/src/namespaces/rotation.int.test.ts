// Master key rotation with the operator CLI: data keys are re-wrapped, sealed values untouched.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { getDb } from "@nuage/db";
import { afterAll, describe, expect, it } from "vitest";
import { openForOrg, sealForOrg } from "./datakeys.ts";

const root = resolve(fileURLToPath(import.meta.url), "../../../../..");
const k1 = randomBytes(32).toString("base64");
const k2 = randomBytes(32).toString("base64");
let orgId = "";
const started = new Date();

function rotate(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(
    join(root, "node_modules", ".bin", "tsx"),
    ["packages/core/src/cli/admin.ts", "rotate-master-key", ...args],
    {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.replace(/^npm warn.*\n/gm, "") };
}

afterAll(async () => {
  if (orgId) await getDb().org.deleteMany({ where: { id: orgId } });
  await getDb().auditLog.deleteMany({ where: { action: "platform.master-key.rotate", createdAt: { gte: started } } });
});

describe("rotate-master-key", () => {
  it("re-wraps the org's data key; values sealed before open with the new master key only", async () => {
    process.env.NUAGE_MASTER_KEY = k1;
    orgId = (await getDb().org.create({ data: { name: `ns-rotation-${randomBytes(3).toString("hex")}` } })).id;
    const sealed = await sealForOrg(orgId, "item-1", { password: "rotation-secret" });
    const before = await getDb().orgDataKey.findUniqueOrThrow({ where: { orgId } });

    const missing = rotate({ NUAGE_MASTER_KEY: k1, NUAGE_NEW_MASTER_KEY: "" }, "--org", orgId);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/NUAGE_NEW_MASTER_KEY is not set/);

    const r = rotate({ NUAGE_MASTER_KEY: k1, NUAGE_NEW_MASTER_KEY: k2 }, "--org", orgId);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/re-wrapped 1 data key/);
    const after = await getDb().orgDataKey.findUniqueOrThrow({ where: { orgId } });
    expect(after.wrappedKey).not.toBe(before.wrappedKey);
    expect(after.masterKeyId).not.toBe(before.masterKeyId);

    process.env.NUAGE_MASTER_KEY = k2;
    expect(await openForOrg(orgId, "item-1", sealed)).toEqual({ password: "rotation-secret" });
    process.env.NUAGE_MASTER_KEY = k1;
    await expect(openForOrg(orgId, "item-1", sealed)).rejects.toThrow(/another master key/);

    // A rerun (say after a crash) converges: nothing left to re-wrap.
    const again = rotate({ NUAGE_MASTER_KEY: k1, NUAGE_NEW_MASTER_KEY: k2 }, "--org", orgId);
    expect(again.stdout).toMatch(/re-wrapped 0 data key\(s\).*1 already under/);
  });
});
