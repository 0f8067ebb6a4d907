import { describe, expect, it } from "vitest";
import { mebibytes, millicores, parseQuantity } from "./quantity.ts";

describe("quantities", () => {
  it("reads CPU in millicores", () => {
    expect(millicores("250m")).toBe(250);
    expect(millicores("2")).toBe(2000);
    expect(millicores("1500000n")).toBe(2);
    expect(millicores("0.5")).toBe(500);
    expect(millicores(undefined)).toBe(0);
    expect(millicores("lots")).toBe(0);
  });
  it("reads memory in MiB", () => {
    expect(mebibytes("512Mi")).toBe(512);
    expect(mebibytes("1Gi")).toBe(1024);
    expect(mebibytes("2048Ki")).toBe(2);
    expect(mebibytes("1G")).toBe(954);
    expect(parseQuantity("1e3")).toBe(1000);
  });
});
