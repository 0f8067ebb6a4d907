import { describe, expect, it } from "vitest";
import { chartRows, customRange, parseAmount, presetRange } from "./usage-data";

describe("usage page data", () => {
  it("aligns presets on the period and includes the current one", () => {
    const now = Date.parse("2026-03-10T13:20:00Z");
    expect(presetRange("24h", now)).toEqual({
      from: new Date("2026-03-09T14:00:00Z"),
      to: new Date("2026-03-10T14:00:00Z"),
      granularity: "hour",
    });
    expect(presetRange("30d", now).to).toEqual(new Date("2026-03-11T00:00:00Z"));
  });
  it("checks custom ranges naming the field", () => {
    expect(customRange("2026-03-05", "2026-03-01")).toEqual({
      field: "to",
      message: "The end day must be on or after the start day",
    });
    expect(customRange("", "2026-03-01")).toMatchObject({ field: "from" });
    expect(customRange("2026-03-01", "2026-03-01")).toEqual({
      from: new Date("2026-03-01T00:00:00Z"),
      to: new Date("2026-03-02T00:00:00Z"),
      granularity: "day",
    });
  });
  it("averages quantities over each period", () => {
    const [row] = chartRows([{ periodStart: "2026-03-01T10:00:00Z", values: { node_vcpu_seconds: "7200" } }], "hour");
    expect(row).toMatchObject({ cpuCapacity: 2, cpuUsed: 0 });
  });
  it("reads budget amounts in cents", () => {
    expect(parseAmount("12.5")).toBe(1250);
    expect(parseAmount("12,05")).toBe(1205);
    expect(parseAmount("0")).toBeNull();
    expect(parseAmount("1.234")).toBeNull();
    expect(parseAmount("abc")).toBeNull();
  });
});
