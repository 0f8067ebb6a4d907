import { describe, expect, it } from "vitest";
import { parseQuantity } from "./quantity.ts";
import { matchLabels, parseLabelSelector } from "./selectors.ts";

describe("selectors and quantities", () => {
  it("matches equality and set-based label selectors", () => {
    const sel = parseLabelSelector("app=web,tier in (front, back),!legacy,env!=prod");
    expect(matchLabels(sel, { app: "web", tier: "front", env: "dev" })).toBe(true);
    expect(matchLabels(sel, { app: "web", tier: "db" })).toBe(false);
    expect(matchLabels(sel, { app: "web", tier: "back", legacy: "1" })).toBe(false);
  });
  it("parses Kubernetes quantities", () => {
    expect(parseQuantity("100m")).toBeCloseTo(0.1);
    expect(parseQuantity("1.5Gi")).toBe(1.5 * 2 ** 30);
    expect(parseQuantity("2e3")).toBe(2000);
    expect(parseQuantity("12abc")).toBeUndefined();
  });
});
