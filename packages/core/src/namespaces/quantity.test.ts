import { describe, expect, it } from "vitest";
import { formatUnits, parseQuantity, quantityUnits } from "./quantity.ts";

describe("quantities", () => {
  it("parse like Kubernetes", () => {
    expect(parseQuantity("500m")).toBe(0.5);
    expect(parseQuantity("2Gi")).toBe(2 * 2 ** 30);
    expect(parseQuantity("1e3")).toBe(1000);
    expect(parseQuantity("1.5")).toBe(1.5);
    expect(parseQuantity("128M")).toBe(128e6);
    expect(parseQuantity("2 Gi")).toBeUndefined();
    expect(parseQuantity("-1")).toBeUndefined();
    expect(parseQuantity("1gi")).toBeUndefined();
  });
  it("units: millicores for cpu, bytes for memory", () => {
    expect(quantityUnits("requests.cpu", "500m")).toBe(500);
    expect(quantityUnits("limits.cpu", "2")).toBe(2000);
    expect(quantityUnits("requests.memory", "1Gi")).toBe(2 ** 30);
    expect(quantityUnits("pods", "10")).toBe(10);
  });
  it("names the field in errors", () => {
    expect(() => quantityUnits("requests.memory", "lots")).toThrow(
      /requests.memory: "lots" is not a Kubernetes quantity/,
    );
  });
  it("formats back", () => {
    expect(formatUnits("requests.cpu", 1500)).toBe("1500m");
    expect(formatUnits("requests.cpu", 2000)).toBe("2");
    expect(formatUnits("limits.memory", 2 ** 31)).toBe("2Gi");
    expect(formatUnits("pods", 12)).toBe("12");
  });
});
