// Sends outbox mail. SMTP when SMTP_URL is set; otherwise a development transport that writes
// .eml files under NUAGE_MAIL_DIR (default $NUAGE_DATA_DIR/mail) and logs the file's path.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { coreEnv } from "@nuage/core";
import { getDb } from "@nuage/db";
import nodemailer from "nodemailer";

export const MAX_MAIL_ATTEMPTS = 5;

export interface MailTransport {
  send(msg: { from: string; to: string; subject: string; text: string }, id: string): Promise<string>;
}

export function createTransport(): MailTransport {
  const env = coreEnv();
  if (env.SMTP_URL) {
    const smtp = nodemailer.createTransport(env.SMTP_URL);
    return {
      async send(msg) {
        const info = await smtp.sendMail(msg);
        return `smtp ${info.messageId}`;
      },
    };
  }
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  return {
    async send(msg, id) {
      const info = await builder.sendMail(msg);
      mkdirSync(env.mailDir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      const file = join(env.mailDir, `${stamp}-${id}.eml`);
      writeFileSync(file, info.message as Buffer, { mode: 0o600 });
      return file;
    },
  };
}

/**
 * Sends one outbox row. Idempotent: a row already sent (or given up) is skipped. On failure the
 * attempt is recorded and the error rethrown so the queue retries; after MAX_MAIL_ATTEMPTS the row
 * is marked failed.
 */
export async function sendOutboxMail(outboxId: string, transport: MailTransport): Promise<"sent" | "skipped"> {
  const db = getDb();
  const row = await db.mailOutbox.findUnique({ where: { id: outboxId } });
  if (row?.status !== "pending") return "skipped";
  try {
    const where = await transport.send(
      { from: coreEnv().NUAGE_MAIL_FROM, to: row.to, subject: row.subject, text: row.text },
      row.id,
    );
    // The body may hold a one-time link: it is not kept once delivered.
    await db.mailOutbox.update({
      where: { id: row.id },
      data: { status: "sent", sentAt: new Date(), attempts: { increment: 1 }, text: "", html: null, lastError: null },
    });
    console.log(`[mail] ${row.id} "${row.subject}" → ${where}`);
    return "sent";
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const attempts = row.attempts + 1;
    await db.mailOutbox.update({
      where: { id: row.id },
      data: {
        attempts,
        lastError: message.slice(0, 500),
        status: attempts >= MAX_MAIL_ATTEMPTS ? "failed" : "pending",
      },
    });
    console.warn(`[mail] ${row.id} attempt ${attempts} failed: ${message}`);
    throw e;
  }
}

/** Pending rows older than `olderThanMs`: re-enqueued by the sweep (the enqueue after commit may have failed). */
export async function pendingOutboxIds(olderThanMs = 30_000, limit = 500): Promise<string[]> {
  const rows = await getDb().mailOutbox.findMany({
    where: { status: "pending", createdAt: { lt: new Date(Date.now() - olderThanMs) } },
    orderBy: { createdAt: "asc" },
    take: limit,
    select: { id: true },
  });
  return rows.map((r) => r.id);
}
