import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  masterKeyFrom,
  masterKeyId,
  newDataKey,
  openValue,
  rewrapDataKey,
  sealValue,
  unwrapDataKey,
  wrapDataKey,
  wrappedKeyId,
} from "./datakeys.ts";

describe("data keys", () => {
  const m1 = randomBytes(32);
  const m2 = randomBytes(32);

  it("seals with a data key and opens after the master key is rotated", () => {
    const dk = newDataKey();
    const wrapped = wrapDataKey(m1, dk, "org:a");
    const sealed = sealValue(dk, "s3cret-value", "item:1");
    expect(sealed).not.toContain("s3cret");
    expect(wrappedKeyId(wrapped)).toBe(masterKeyId(m1));
    const rewrapped = rewrapDataKey(m1, m2, wrapped, "org:a");
    expect(wrappedKeyId(rewrapped)).toBe(masterKeyId(m2));
    // The sealed value is untouched and opens with the data key unwrapped by the new master.
    const dk2 = unwrapDataKey(m2, rewrapped, "org:a");
    expect(openValue(dk2, sealed, "item:1").toString()).toBe("s3cret-value");
    expect(() => unwrapDataKey(m1, rewrapped, "org:a")).toThrow(/another master key/);
  });

  it("binds contexts: a value or key copied elsewhere does not open", () => {
    const dk = newDataKey();
    const wrapped = wrapDataKey(m1, dk, "org:a");
    expect(() => unwrapDataKey(m1, wrapped, "org:b")).toThrow(/authentication/);
    const sealed = sealValue(dk, "x", "item:1");
    expect(() => openValue(dk, sealed, "item:2")).toThrow(/authentication/);
    expect(() => openValue(newDataKey(), sealed, "item:1")).toThrow(/authentication/);
  });

  it("names the variable when the master key is bad", () => {
    expect(() => masterKeyFrom(undefined)).toThrow(/NUAGE_MASTER_KEY is not set/);
    expect(() => masterKeyFrom("abcd", "NUAGE_NEW_MASTER_KEY")).toThrow(/NUAGE_NEW_MASTER_KEY must be/);
  });
});
