import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";

export interface Mail {
  file: string;
  to: string;
  subject: string;
  /** The decoded bodies (text and HTML parts) joined. */
  body: string;
}

function mailDir(): string {
  const dir = process.env.NUAGE_MAIL_DIR;
  if (!dir) throw new Error("NUAGE_MAIL_DIR is not set (it comes from e2e/playwright.config.ts)");
  return dir;
}

function decodeQuotedPrintable(s: string): string {
  const bytes = s
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, "latin1").toString("utf8");
}

function header(head: string, name: string): string {
  const unfolded = head.replace(/\r?\n[ \t]+/g, " ");
  const m = unfolded.match(new RegExp(`^${name}:[ \\t]*(.*)$`, "im"));
  return m?.[1]?.trim() ?? "";
}

/** Decodes the body of one MIME entity (headers + body), walking multipart children. */
function decodeEntity(raw: string): string {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? "" : raw.slice(split).replace(/^\r?\n\r?\n/, "");
  const type = header(head, "Content-Type");
  const boundary = type.match(/boundary="?([^";]+)"?/i)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    return body
      .split(`--${boundary}`)
      .slice(1)
      .filter((part) => !part.startsWith("--"))
      .map((part) => decodeEntity(part.replace(/^\r?\n/, "")))
      .join("\n");
  }
  const encoding = header(head, "Content-Transfer-Encoding").toLowerCase();
  if (encoding === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (encoding === "quoted-printable") return decodeQuotedPrintable(body);
  return body;
}

export function parseEml(file: string, raw: string): Mail {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split === -1 ? raw : raw.slice(0, split);
  return { file, to: header(head, "To"), subject: header(head, "Subject"), body: decodeEntity(raw) };
}

/**
 * Waits for a mail to `to` (and whose subject matches, when given) to land in the run's mail
 * folder. With `count`, waits for that many such mails and returns the newest.
 */
export async function waitForMail(
  to: string,
  opts: { subject?: RegExp; timeoutMs?: number; count?: number } = {},
): Promise<Mail> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  const dir = mailDir();
  const want = to.toLowerCase();
  const count = opts.count ?? 1;
  while (Date.now() < deadline) {
    const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith(".eml"));
    const found: Array<{ mail: Mail; mtime: number }> = [];
    for (const f of files) {
      const path = join(dir, f);
      const raw = await readFile(path, "utf8").catch(() => "");
      if (!raw.toLowerCase().includes(want)) continue;
      const mail = parseEml(f, raw);
      if (!mail.to.toLowerCase().includes(want)) continue;
      if (opts.subject && !opts.subject.test(mail.subject)) continue;
      found.push({ mail, mtime: (await stat(path)).mtimeMs });
    }
    if (found.length >= count) return found.sort((a, b) => a.mtime - b.mtime)[found.length - 1]!.mail;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`No mail to ${to}${opts.subject ? ` matching ${opts.subject}` : ""} arrived in ${dir}`);
}

/** The first link in a mail whose path starts with `path` (e.g. "/verify-email"), as a path + query. */
export function linkIn(mail: Mail, path: string): string {
  const base = process.env.NUAGE_URL ?? "http://localhost:3100";
  const re = new RegExp(
    `${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[^\\s"'<>)]*)`,
  );
  const m = mail.body.match(re);
  if (!m?.[1]) throw new Error(`No ${path} link in the mail "${mail.subject}"`);
  return m[1].replace(/&amp;/g, "&");
}
