// Operator CLI: `npm run admin -- <command> [options]`. Same services and rules as the portal,
// audited with the actor type "operator-cli". `create-token` prints only the token on stdout.
import { parseArgs } from "node:util";
import { closeDb, getDb } from "@nuage/db";
import { closeQueues, closeRedis } from "@nuage/jobs";
import { createApiToken } from "../apiTokens.ts";
import { audit } from "../audit.ts";
import { AppError } from "../errors.ts";
import { rotateMasterKey } from "../namespaces/datakeys.ts";
import { listAllOrgs } from "../platform.ts";
import { requireRole } from "../roles.ts";
import { mutate } from "../tx.ts";
import { createUser, setPassword } from "../users.ts";
import { parseExpiry } from "./expiry.ts";

const USAGE = `usage: npm run admin -- <command> [options]

commands:
  create-user    --email <e-mail> --password <password> [--name <name>] [--org <org name>] [--verified] [--platform-admin]
  create-token   --email <member e-mail> --org <org id or name> --name <token name> [--scope read|write] [--expires <ISO date or 30d, 12h>]
                 prints only the token on stdout (shown once)
  reset-password --email <e-mail> --password <new password>
  list-orgs
  rotate-master-key [--org <org id>]
                 re-wraps every organization's data key from NUAGE_MASTER_KEY to NUAGE_NEW_MASTER_KEY
                 (both from the environment, never the command line); secret values are not touched.
                 Then set NUAGE_MASTER_KEY to the new key and restart web and worker.`;

class UsageError extends Error {}

function need(values: Record<string, unknown>, ...keys: string[]) {
  const missing = keys.filter((k) => typeof values[k] !== "string" || !(values[k] as string).trim());
  if (missing.length) throw new UsageError(`missing ${missing.map((k) => `--${k}`).join(", ")}`);
}

async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const parse = (options: NonNullable<Parameters<typeof parseArgs>[0]>["options"]) => {
    try {
      return parseArgs({ args: rest, options, allowPositionals: false, strict: true }).values as Record<
        string,
        string | boolean | undefined
      >;
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e));
    }
  };
  switch (command) {
    case "create-user": {
      const v = parse({
        email: { type: "string" },
        password: { type: "string" },
        name: { type: "string" },
        org: { type: "string" },
        verified: { type: "boolean" },
        "platform-admin": { type: "boolean" },
      });
      need(v, "email", "password");
      const u = await createUser({
        email: v.email as string,
        password: v.password as string,
        name: v.name as string | undefined,
        orgName: v.org as string | undefined,
        verified: !!v.verified,
        platformAdmin: !!v["platform-admin"],
      });
      process.stdout.write(`created user ${u.email} (${u.id})${u.orgId ? ` owning org ${u.orgId}` : ""}\n`);
      return;
    }
    case "create-token": {
      const v = parse({
        email: { type: "string" },
        org: { type: "string" },
        name: { type: "string" },
        scope: { type: "string", default: "write" },
        expires: { type: "string" },
      });
      need(v, "email", "org", "name");
      if (v.scope !== "read" && v.scope !== "write") throw new UsageError("--scope must be read or write");
      const expiresAt = v.expires ? parseExpiry(v.expires as string) : null;
      const db = getDb();
      const email = (v.email as string).trim().toLowerCase();
      const user = await db.user.findUnique({ where: { email } });
      if (!user) throw new AppError("NOT_FOUND", `No user with the e-mail address ${email}`);
      const org = v.org as string;
      const memberships = await db.membership.findMany({
        where: { userId: user.id, OR: [{ orgId: org }, { org: { name: org } }] },
        include: { org: true },
      });
      if (memberships.length === 0)
        throw new AppError("NOT_FOUND", `${email} is not a member of an organization "${org}"`);
      if (memberships.length > 1)
        throw new AppError("CONFLICT", `${email} belongs to several organizations named "${org}": pass the org id`);
      const m = memberships[0]!;
      requireRole(m.role, "admin", "create API tokens");
      const t = await createApiToken(
        { orgId: m.orgId, role: m.role, actor: { type: "operator-cli" } },
        { name: v.name as string, scope: v.scope, expiresAt },
        { createdById: user.id },
      );
      process.stdout.write(`${t.token}\n`);
      return;
    }
    case "reset-password": {
      const v = parse({ email: { type: "string" }, password: { type: "string" } });
      need(v, "email", "password");
      const u = await setPassword(v.email as string, v.password as string);
      process.stdout.write(`password of ${u.email} changed; their sessions are ended\n`);
      return;
    }
    case "list-orgs": {
      parse({});
      const orgs = await listAllOrgs({ limit: 5000 });
      const rows = [
        ["ID", "NAME", "MEMBERS", "CREATED"],
        ...orgs.map((o) => [o.id, o.name, String(o.members), o.createdAt.toISOString()]),
      ];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows)
        process.stdout.write(
          `${r
            .map((c, i) => c.padEnd(widths[i]!))
            .join("  ")
            .trimEnd()}\n`,
        );
      return;
    }
    case "rotate-master-key": {
      const v = parse({ org: { type: "string" } });
      const r = await rotateMasterKey(process.env.NUAGE_MASTER_KEY, process.env.NUAGE_NEW_MASTER_KEY, {
        orgId: v.org as string | undefined,
      });
      await mutate((tx) =>
        audit(tx, { type: "operator-cli" }, { orgId: null, action: "platform.master-key.rotate", metadata: r }),
      );
      process.stdout.write(
        `re-wrapped ${r.rewrapped} data key(s) from master key ${r.from} to ${r.to}; ${r.skipped} already under ${r.to}\n` +
          "now set NUAGE_MASTER_KEY to the new key and restart the web app and the worker\n",
      );
      return;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

let code = 0;
try {
  await run(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError) {
    process.stderr.write(`error: ${e.message}\n\n${USAGE}\n`);
    code = 2;
  } else if (e instanceof AppError) {
    process.stderr.write(`error: ${e.field ? `${e.field}: ` : ""}${e.message}\n`);
    code = 1;
  } else {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    code = 1;
  }
}
await Promise.allSettled([closeQueues(), closeRedis(), closeDb()]);
process.exit(code);
