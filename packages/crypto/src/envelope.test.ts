import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createEnvelope, EnvelopeError } from "./envelope.ts";

const key = () => randomBytes(32).toString("base64");

describe("envelope encryption", () => {
  it("round-trips and never shows the plaintext", () => {
    const env = createEnvelope(key());
    const secret = "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----";
    const c = env.encrypt(secret, "cluster:1:ca-key");
    expect(c.startsWith(`nenv1.${env.keyId}.`)).toBe(true);
    expect(c).not.toContain("PRIVATE");
    expect(env.decryptString(c, "cluster:1:ca-key")).toBe(secret);
    expect(env.encrypt(secret, "cluster:1:ca-key")).not.toBe(c); // fresh data key and IVs
  });

  it("refuses another context, another master key, tampering and bad keys", () => {
    const env = createEnvelope(key());
    const c = env.encrypt("x", "a");
    expect(() => env.decrypt(c, "b")).toThrow(EnvelopeError);
    expect(() => createEnvelope(key()).decrypt(c, "a")).toThrow(/another master key/);
    const parts = c.split(".");
    parts[5] = Buffer.from("tampered-data-here!!").toString("base64url");
    expect(() => env.decrypt(parts.join("."), "a")).toThrow(/authentication/);
    expect(() => env.decrypt(`nenv0${c.slice(5)}`, "a")).toThrow(/format/);
    expect(() => createEnvelope("c2hvcnQ=")).toThrow(/32 bytes/);
    expect(() => createEnvelope("")).toThrow(/NUAGE_MASTER_KEY/);
  });
});
