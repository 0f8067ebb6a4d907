import { describe, expect, it } from "vitest";
import { formatDateTime, formatRelative } from "./format";

describe("formatDateTime", () => {
  it("writes UTC", () => {
    expect(formatDateTime(new Date("2026-11-22T04:05:00Z"))).toBe("22 Nov 2026, 04:05 UTC");
    expect(formatDateTime("2026-01-02T23:59:00Z")).toBe("02 Jan 2026, 23:59 UTC");
  });
  it("shows a dash for missing or invalid dates", () => {
    expect(formatDateTime(null)).toBe("—");
    expect(formatDateTime("not a date")).toBe("—");
  });
});

describe("formatRelative", () => {
  const now = Date.parse("2026-11-22T12:00:00Z");
  it("says never for a missing date", () => {
    expect(formatRelative(null, now)).toBe("Never");
  });
  it("counts minutes, hours and days", () => {
    expect(formatRelative(new Date(now - 5 * 60_000), now)).toBe("5 minutes ago");
    expect(formatRelative(new Date(now - 3 * 3_600_000), now)).toBe("3 hours ago");
    expect(formatRelative(new Date(now + 2 * 86_400_000), now)).toBe("in 2 days");
    expect(formatRelative(new Date(now - 10_000), now)).toBe("just now");
  });
});
