// Envelope encryption for key material Nuage stores: each value gets a fresh AES-256-GCM data key;
// the data key is wrapped (AES-256-GCM) by the master key from NUAGE_MASTER_KEY (base64, 32 bytes).
// Format (versioned, one string): "nenv1.<keyId>.<wrapIv>.<wrappedKey+tag>.<iv>.<ciphertext+tag>",
// base64url parts. keyId is the first 8 hex characters of sha256(master key), so a rotated master
// key is detected instead of failing obscurely.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const VERSION = "nenv1";

export class EnvelopeError extends Error {
  override name = "EnvelopeError";
}

function parseMasterKey(raw: string | Buffer | undefined): Buffer {
  if (raw === undefined || raw === "")
    throw new EnvelopeError("NUAGE_MASTER_KEY is not set (base64 of 32 random bytes)");
  const key = typeof raw === "string" ? Buffer.from(raw, "base64") : raw;
  if (key.length !== 32) throw new EnvelopeError("NUAGE_MASTER_KEY must be base64 of exactly 32 bytes");
  return key;
}

const keyIdOf = (key: Buffer) => createHash("sha256").update(key).digest("hex").slice(0, 8);
const b64 = (b: Buffer) => b.toString("base64url");
const unb64 = (s: string) => Buffer.from(s, "base64url");

function seal(key: Buffer, plain: Buffer, aad: string): { iv: Buffer; data: Buffer } {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, iv);
  c.setAAD(Buffer.from(aad));
  const data = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
  return { iv, data };
}

function open(key: Buffer, iv: Buffer, data: Buffer, aad: string): Buffer {
  if (data.length < 16) throw new EnvelopeError("Ciphertext is truncated");
  const d = createDecipheriv("aes-256-gcm", key, iv);
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(data.subarray(data.length - 16));
  try {
    return Buffer.concat([d.update(data.subarray(0, data.length - 16)), d.final()]);
  } catch {
    throw new EnvelopeError("Ciphertext failed authentication (wrong key or tampered data)");
  }
}

export interface Envelope {
  encrypt(plaintext: string | Buffer, context?: string): string;
  decrypt(ciphertext: string, context?: string): Buffer;
  decryptString(ciphertext: string, context?: string): string;
  keyId: string;
}

/**
 * `context` (e.g. "cluster:<id>:ca-key") is bound as additional authenticated data: a ciphertext
 * copied to another row does not decrypt there.
 */
export function createEnvelope(masterKey: string | Buffer | undefined = process.env.NUAGE_MASTER_KEY): Envelope {
  const master = parseMasterKey(masterKey);
  const keyId = keyIdOf(master);
  const encrypt = (plaintext: string | Buffer, context = "") => {
    const dataKey = randomBytes(32);
    const wrapped = seal(master, dataKey, `${VERSION}:${keyId}:wrap`);
    const body = seal(
      dataKey,
      Buffer.isBuffer(plaintext) ? plaintext : Buffer.from(plaintext, "utf8"),
      `${VERSION}:${context}`,
    );
    dataKey.fill(0);
    return [VERSION, keyId, b64(wrapped.iv), b64(wrapped.data), b64(body.iv), b64(body.data)].join(".");
  };
  const decrypt = (ciphertext: string, context = "") => {
    const parts = ciphertext.split(".");
    if (parts[0] !== VERSION) throw new EnvelopeError(`Unknown ciphertext format (expected ${VERSION})`);
    if (parts.length !== 6) throw new EnvelopeError("Malformed ciphertext");
    const [, kid, wiv, wdata, iv, data] = parts as [string, string, string, string, string, string];
    if (kid !== keyId) throw new EnvelopeError(`Ciphertext was sealed with another master key (${kid})`);
    const dataKey = open(master, unb64(wiv), unb64(wdata), `${VERSION}:${keyId}:wrap`);
    try {
      return open(dataKey, unb64(iv), unb64(data), `${VERSION}:${context}`);
    } finally {
      dataKey.fill(0);
    }
  };
  return { encrypt, decrypt, decryptString: (c, ctx) => decrypt(c, ctx).toString("utf8"), keyId };
}
