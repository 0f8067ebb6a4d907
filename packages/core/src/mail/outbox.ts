import type { Tx } from "@nuage/db";
import { enqueue } from "@nuage/jobs";
import type { AfterCommit } from "../tx.ts";
import type { MailMessage } from "./templates.ts";

/** Inserts the mail in the outbox within `tx`; after commit, asks the worker to send it. */
export async function queueMail(tx: Tx, after: AfterCommit, msg: MailMessage, orgId?: string | null): Promise<string> {
  const row = await tx.mailOutbox.create({
    data: { to: msg.to, subject: msg.subject, text: msg.text, orgId: orgId ?? null },
    select: { id: true },
  });
  after(() => dispatchMail(row.id));
  return row.id;
}

/** Enqueues `mail.send` keyed by the outbox id (a second enqueue of the same id is a no-op). */
export async function dispatchMail(outboxId: string): Promise<void> {
  await enqueue("mail.send", { outboxId }, { jobId: outboxId });
}
