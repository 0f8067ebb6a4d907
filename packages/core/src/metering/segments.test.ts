import { describe, expect, it } from "vitest";
import { segmentsOf, signedSegmentsOf } from "./query.ts";

const iso = (s: { period: string; start: Date; end: Date }) =>
  `${s.period} ${s.start.toISOString()} ${s.end.toISOString()}`;

describe("report segments", () => {
  it("covers a 90-day range with day edges and whole months", () => {
    const segs = segmentsOf(new Date("2026-08-25T00:00:00Z"), new Date("2026-11-23T00:00:00Z"), "day").map(iso);
    expect(segs).toEqual([
      "day 2026-08-25T00:00:00.000Z 2026-09-01T00:00:00.000Z",
      "day 2026-11-01T00:00:00.000Z 2026-11-23T00:00:00.000Z",
      "month 2026-09-01T00:00:00.000Z 2026-10-01T00:00:00.000Z",
      "month 2026-10-01T00:00:00.000Z 2026-11-01T00:00:00.000Z",
    ]);
  });
  it("uses hours at the edges of whole days, and days inside one month", () => {
    const segs = segmentsOf(new Date("2026-03-09T14:00:00Z"), new Date("2026-03-12T14:00:00Z"), "hour").map(iso);
    expect(segs).toEqual([
      "hour 2026-03-09T14:00:00.000Z 2026-03-10T00:00:00.000Z",
      "hour 2026-03-12T00:00:00.000Z 2026-03-12T14:00:00.000Z",
      "day 2026-03-10T00:00:00.000Z 2026-03-12T00:00:00.000Z",
    ]);
  });
  it("keeps rows whose period starts in the range, as a plain filter would", () => {
    // Unaligned ends: days starting at or after 10:00 on the 1st and before 03:00 on the 5th = the 2nd to the 4th.
    expect(segmentsOf(new Date("2026-03-01T10:00:00Z"), new Date("2026-03-05T03:00:00Z"), "day").map(iso)).toEqual([
      "day 2026-03-02T00:00:00.000Z 2026-03-06T00:00:00.000Z",
    ]);
    expect(segmentsOf(new Date("2026-01-01T00:00:00Z"), new Date("2026-02-01T00:00:00Z"), "day").map(iso)).toEqual([
      "month 2026-01-01T00:00:00.000Z 2026-02-01T00:00:00.000Z",
    ]);
  });
  it("reads an edge covering most of its month as the month minus the days outside the range", () => {
    const signed = (from: string, to: string) =>
      signedSegmentsOf(new Date(from), new Date(to), "day").map((g) => `${g.sign > 0 ? "+" : "-"}${iso(g)}`);
    // 24 days of September: September minus its first 6 days; 5 days of December stay days.
    expect(signed("2026-09-07T00:00:00Z", "2026-12-06T00:00:00Z")).toEqual([
      "+month 2026-09-01T00:00:00.000Z 2026-10-01T00:00:00.000Z",
      "-day 2026-09-01T00:00:00.000Z 2026-09-07T00:00:00.000Z",
      "+day 2026-12-01T00:00:00.000Z 2026-12-06T00:00:00.000Z",
      "+month 2026-10-01T00:00:00.000Z 2026-11-01T00:00:00.000Z",
      "+month 2026-11-01T00:00:00.000Z 2026-12-01T00:00:00.000Z",
    ]);
    // No whole month inside: each month's part on its own.
    expect(signed("2026-03-04T00:00:00Z", "2026-04-03T00:00:00Z")).toEqual([
      "+month 2026-03-01T00:00:00.000Z 2026-04-01T00:00:00.000Z",
      "-day 2026-03-01T00:00:00.000Z 2026-03-04T00:00:00.000Z",
      "+day 2026-04-01T00:00:00.000Z 2026-04-03T00:00:00.000Z",
    ]);
    // Half a month or less stays days.
    expect(signed("2026-03-10T00:00:00Z", "2026-03-20T00:00:00Z")).toEqual([
      "+day 2026-03-10T00:00:00.000Z 2026-03-20T00:00:00.000Z",
    ]);
  });
});
