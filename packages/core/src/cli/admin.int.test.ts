// The operator CLI and `npm start`'s first-admin step, run as the processes operators run.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { getDb } from "@nuage/db";
import { migrate } from "@nuage/db/migrate";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { authenticateApiToken } from "../apiTokens.ts";

const root = resolve(fileURLToPath(import.meta.url), "../../../../..");
const tsx = join(root, "node_modules", ".bin", "tsx");
const emails: string[] = [];

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(tsx, args, { cwd: root, env: { ...process.env, ...env }, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.replace(/^npm warn.*\n/gm, "") };
}
const admin = (...args: string[]) => run(["packages/core/src/cli/admin.ts", ...args]);

afterAll(async () => {
  const db = getDb();
  const users = await db.user.findMany({ where: { email: { in: emails } }, include: { memberships: true } });
  const orgIds = users.flatMap((u) => u.memberships.map((m) => m.orgId));
  await db.auditLog.deleteMany({
    where: { OR: [{ orgId: { in: orgIds } }, { targetId: { in: users.map((u) => u.id) } }] },
  });
  await db.org.deleteMany({ where: { id: { in: orgIds } } });
  await db.user.deleteMany({ where: { id: { in: users.map((u) => u.id) } } });
});

describe("operator CLI", () => {
  it("creates a user and a token; stdout is the token alone, and it works", async () => {
    const email = `cli-${randomBytes(4).toString("hex")}@test.nuage.local`;
    emails.push(email);
    const org = `CLI org ${randomBytes(3).toString("hex")}`;
    const created = admin("create-user", "--email", email, "--password", "cli-password-42", "--org", org, "--verified");
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(new RegExp(`^created user ${email}`));
    const tok = admin(
      "create-token",
      "--email",
      email,
      "--org",
      org,
      "--name",
      "deploy",
      "--scope",
      "read",
      "--expires",
      "30d",
    );
    expect(tok.code).toBe(0);
    expect(tok.stdout).toMatch(/^nuage_[\w-]{43}\n$/);
    const principal = await authenticateApiToken(tok.stdout.trim());
    expect(principal).toMatchObject({ name: "deploy", scope: "read" });
    const creator = await getDb().user.findUniqueOrThrow({ where: { id: principal.createdById! } });
    expect(creator.email).toBe(email);
    const audit = await getDb().auditLog.findFirst({
      where: { action: "token.create", metadata: { path: ["name"], equals: "deploy" }, actorType: "operator-cli" },
    });
    expect(audit).not.toBeNull();
    const dup = admin("create-user", "--email", email, "--password", "cli-password-42");
    expect(dup.code).toBe(1);
    expect(dup.stderr).toBe("error: email: An account with this e-mail address already exists\n");
  });

  it("explains usage errors and exits 2", () => {
    const r = admin("create-token", "--email", "x@y.z");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: missing --org, --name\n\nusage: npm run admin/);
    expect(r.stdout).toBe("");
    const unknown = admin("frobnicate");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
  });
});

describe("first platform admin (npm start)", () => {
  it("is created once on a fresh database with a generated password, shown once", async () => {
    const name = `nuage_fa_${randomBytes(4).toString("hex")}`;
    const base = process.env.DATABASE_URL!;
    const url = new URL(base);
    url.pathname = `/${name}`;
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    await c.query(`CREATE DATABASE "${name}"`);
    try {
      await migrate(url.toString());
      const first = run(["infra/first-admin.ts"], {
        DATABASE_URL: url.toString(),
        NUAGE_ADMIN_EMAIL: "",
        NUAGE_ADMIN_PASSWORD: "",
      });
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/First platform admin: admin@nuage\.local/);
      expect(first.stdout).toMatch(/Password \(shown once, change it after signing in\): \S{12,}/);
      const again = run(["infra/first-admin.ts"], { DATABASE_URL: url.toString() });
      expect(again.code).toBe(0);
      expect(again.stdout.trim()).toBe("");
    } finally {
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    }
  });
});
