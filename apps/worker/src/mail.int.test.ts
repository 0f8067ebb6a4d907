import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getDb } from "@nuage/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTransport, type MailTransport, sendOutboxMail } from "./mail.ts";

let dir: string;
const ids: string[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "nuage-mail-test-"));
  process.env.NUAGE_MAIL_DIR = dir;
  delete process.env.SMTP_URL;
});
afterAll(async () => {
  await getDb().mailOutbox.deleteMany({ where: { id: { in: ids } } });
  rmSync(dir, { recursive: true, force: true });
});

async function outbox(text: string) {
  const row = await getDb().mailOutbox.create({
    data: { to: `mail-${Date.now()}-${Math.random().toString(16).slice(2)}@test.nuage.local`, subject: "Hello", text },
  });
  ids.push(row.id);
  return row;
}

describe("mail outbox sending", () => {
  it("writes an .eml file in dev, marks the row sent, drops the body, and sends only once", async () => {
    const row = await outbox("Open https://example.test/verify-email?token=secret-token-value");
    const transport = createTransport();
    expect(await sendOutboxMail(row.id, transport)).toBe("sent");
    const files = readdirSync(dir).filter((f) => f.includes(row.id));
    expect(files).toHaveLength(1);
    const eml = readFileSync(join(dir, files[0]!), "utf8");
    expect(eml).toMatch(/^To: mail-/m);
    expect(eml).toMatch(/^Subject: Hello/m);
    expect(eml).toContain("secret-token-value");
    const after = await getDb().mailOutbox.findUniqueOrThrow({ where: { id: row.id } });
    expect(after).toMatchObject({ status: "sent", text: "", attempts: 1 });
    expect(after.sentAt).toBeInstanceOf(Date);
    // A second job for the same row (retry, sweep) sends nothing.
    expect(await sendOutboxMail(row.id, transport)).toBe("skipped");
    expect(readdirSync(dir).filter((f) => f.includes(row.id))).toHaveLength(1);
  });

  it("records failures and gives up after the last attempt", async () => {
    const row = await outbox("body");
    const broken: MailTransport = {
      send: async () => {
        throw new Error("connection refused");
      },
    };
    for (let i = 1; i <= 5; i++) {
      await expect(sendOutboxMail(row.id, broken)).rejects.toThrow("connection refused");
      const r = await getDb().mailOutbox.findUniqueOrThrow({ where: { id: row.id } });
      expect(r.attempts).toBe(i);
      expect(r.status).toBe(i < 5 ? "pending" : "failed");
    }
    expect(await sendOutboxMail(row.id, broken)).toBe("skipped");
  });
});
