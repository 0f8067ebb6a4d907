import { describe, expect, it } from "vitest";
import { dnsLabelError, formatAge, formatCents, formatMemory, formatMicro, formatMinor } from "./format";

describe("cluster formatting", () => {
  it("shows integer cents as dollars without floating-point drift", () => {
    expect(formatCents(0)).toBe("$0.00");
    expect(formatCents(7)).toBe("$0.07");
    expect(formatCents(1234)).toBe("$12.34");
    expect(formatCents(123456789)).toBe("$1,234,567.89");
  });

  it("shows price-book amounts in their currency, with the sub-cent digits unit prices have", () => {
    expect(formatMicro(2_250_000)).toBe("€0.0225");
    expect(formatMicro(40_000_000)).toBe("€0.40");
    expect(formatMicro(225_000)).toBe("€0.00225");
    expect(formatMicro(123_456_789_000, "USD")).toBe("$1,234.56789");
    expect(formatMinor(9855)).toBe("€98.55");
  });

  it("shows memory in MiB or GiB", () => {
    expect(formatMemory(512)).toBe("512 MiB");
    expect(formatMemory(4096)).toBe("4 GiB");
    expect(formatMemory(1536)).toBe("1.5 GiB");
  });

  it("prints ages like kubectl", () => {
    const now = Date.parse("2026-11-22T05:00:00Z");
    expect(formatAge("2026-11-22T04:59:30Z", now)).toBe("30s");
    expect(formatAge("2026-11-22T04:48:00Z", now)).toBe("12m");
    expect(formatAge("2026-11-20T05:00:00Z", now)).toBe("2d");
  });

  it("validates DNS labels with a message naming the field", () => {
    expect(dnsLabelError("web-prod", "cluster name")).toBeUndefined();
    expect(dnsLabelError("", "cluster name")).toBe("Enter a cluster name.");
    expect(dnsLabelError("Web_Prod", "cluster name")).toMatch(/lowercase/);
    expect(dnsLabelError("-web", "pool name")).toMatch(/start with a letter/);
    expect(dnsLabelError("a".repeat(41), "pool name")).toMatch(/40 characters/);
  });
});
