// Encryption at rest for Secrets, in upstream's envelope-less aesgcm provider format:
// "k8s:enc:aesgcm:v1:key1:" + nonce(12) + ciphertext + tag(16).
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const PREFIX = Buffer.from("k8s:enc:aesgcm:v1:key1:");

export interface Cipher {
  encrypt(plain: Buffer): Buffer;
  decrypt(stored: Buffer): Buffer;
  isEncrypted(stored: Buffer): boolean;
}

export function createCipher(keyBase64: string): Cipher {
  const key = Buffer.from(keyBase64, "base64");
  if (![16, 24, 32].includes(key.length)) throw new Error("encryptionKeyBase64 must decode to 16, 24 or 32 bytes");
  const algo = `aes-${key.length * 8}-gcm` as "aes-256-gcm";
  return {
    encrypt(plain) {
      const nonce = randomBytes(12);
      const c = createCipheriv(algo, key, nonce);
      const body = Buffer.concat([c.update(plain), c.final()]);
      return Buffer.concat([PREFIX, nonce, body, c.getAuthTag()]);
    },
    decrypt(stored) {
      const rest = stored.subarray(PREFIX.length);
      const nonce = rest.subarray(0, 12);
      const tag = rest.subarray(rest.length - 16);
      const d = createDecipheriv(algo, key, nonce);
      d.setAuthTag(tag);
      return Buffer.concat([d.update(rest.subarray(12, rest.length - 16)), d.final()]);
    },
    isEncrypted(stored) {
      return stored.subarray(0, PREFIX.length).equals(PREFIX);
    },
  };
}
