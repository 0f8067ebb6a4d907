import { describe, expect, it } from "vitest";
import { parseExpiry } from "./expiry.ts";

describe("parseExpiry", () => {
  const now = new Date("2026-01-01T00:00:00Z");
  it("reads durations from now", () => {
    expect(parseExpiry("30d", now).toISOString()).toBe("2026-01-31T00:00:00.000Z");
    expect(parseExpiry("12h", now).toISOString()).toBe("2026-01-01T12:00:00.000Z");
  });
  it("reads ISO dates", () => {
    expect(parseExpiry("2026-02-01", now).toISOString()).toBe("2026-02-01T00:00:00.000Z");
  });
  it("refuses garbage and the past with a message naming the option", () => {
    expect(() => parseExpiry("soon", now)).toThrow(/--expires must be an ISO date/);
    expect(() => parseExpiry("2020-01-01", now)).toThrow(/in the future/);
  });
});
