// Per-owner data keys (envelope encryption with a long-lived data key): a random AES-256 key is
// wrapped by the master key (AES-256-GCM) and stored; values are sealed with the data key.
// Rotating the master key re-wraps data keys only: sealed values never change.
// Formats (base64url parts):
//   wrapped key: "nwk1.<masterKeyId>.<iv>.<key+tag>"   (AAD "nwk1:<masterKeyId>:<context>")
//   sealed value: "ndk1.<iv>.<ciphertext+tag>"          (AAD "ndk1:<context>")
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { EnvelopeError } from "./envelope.ts";

const b64 = (b: Buffer) => b.toString("base64url");
const unb64 = (s: string) => Buffer.from(s, "base64url");

export function masterKeyFrom(raw: string | Buffer | undefined, name = "NUAGE_MASTER_KEY"): Buffer {
  if (raw === undefined || raw === "") throw new EnvelopeError(`${name} is not set (base64 of 32 random bytes)`);
  const key = typeof raw === "string" ? Buffer.from(raw, "base64") : raw;
  if (key.length !== 32) throw new EnvelopeError(`${name} must be base64 of exactly 32 bytes`);
  return key;
}

export const masterKeyId = (key: Buffer) => createHash("sha256").update(key).digest("hex").slice(0, 8);

function seal(key: Buffer, plain: Buffer, aad: string) {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, iv);
  c.setAAD(Buffer.from(aad));
  return { iv, data: Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]) };
}

function open(key: Buffer, iv: Buffer, data: Buffer, aad: string): Buffer {
  if (data.length < 16 || iv.length !== 12) throw new EnvelopeError("Ciphertext is truncated");
  const d = createDecipheriv("aes-256-gcm", key, iv);
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(data.subarray(data.length - 16));
  try {
    return Buffer.concat([d.update(data.subarray(0, data.length - 16)), d.final()]);
  } catch {
    throw new EnvelopeError("Ciphertext failed authentication (wrong key or tampered data)");
  }
}

export function newDataKey(): Buffer {
  return randomBytes(32);
}

/** Wraps a data key with the master key; `context` (e.g. "org:<id>") is bound as AAD. */
export function wrapDataKey(master: Buffer, dataKey: Buffer, context: string): string {
  const kid = masterKeyId(master);
  const { iv, data } = seal(master, dataKey, `nwk1:${kid}:${context}`);
  return ["nwk1", kid, b64(iv), b64(data)].join(".");
}

export function wrappedKeyId(wrapped: string): string {
  const parts = wrapped.split(".");
  if (parts[0] !== "nwk1" || parts.length !== 4) throw new EnvelopeError("Malformed wrapped key");
  return parts[1]!;
}

export function unwrapDataKey(master: Buffer, wrapped: string, context: string): Buffer {
  const kid = wrappedKeyId(wrapped);
  if (kid !== masterKeyId(master)) throw new EnvelopeError(`The data key was wrapped with another master key (${kid})`);
  const [, , iv, data] = wrapped.split(".") as [string, string, string, string];
  const key = open(master, unb64(iv), unb64(data), `nwk1:${kid}:${context}`);
  if (key.length !== 32) throw new EnvelopeError("Unwrapped data key has the wrong length");
  return key;
}

/** Re-wraps a data key under a new master key (rotation); the data key itself is unchanged. */
export function rewrapDataKey(oldMaster: Buffer, newMaster: Buffer, wrapped: string, context: string): string {
  const key = unwrapDataKey(oldMaster, wrapped, context);
  try {
    return wrapDataKey(newMaster, key, context);
  } finally {
    key.fill(0);
  }
}

export function sealValue(dataKey: Buffer, plaintext: string | Buffer, context: string): string {
  const { iv, data } = seal(
    dataKey,
    Buffer.isBuffer(plaintext) ? plaintext : Buffer.from(plaintext),
    `ndk1:${context}`,
  );
  return ["ndk1", b64(iv), b64(data)].join(".");
}

export function openValue(dataKey: Buffer, sealed: string, context: string): Buffer {
  const parts = sealed.split(".");
  if (parts[0] !== "ndk1" || parts.length !== 3) throw new EnvelopeError("Malformed sealed value");
  return open(dataKey, unb64(parts[1]!), unb64(parts[2]!), `ndk1:${context}`);
}
