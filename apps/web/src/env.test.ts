import { describe, expect, it } from "vitest";
import { webEnvProblems } from "./env";

const good = {
  DATABASE_URL: "postgresql://nuage:nuage@127.0.0.1:54329/nuage",
  REDIS_URL: "redis://127.0.0.1:63799",
  NEXTAUTH_SECRET: "0123456789abcdef0123456789abcdef",
  NUAGE_URL: "http://localhost:3000",
};

describe("webEnvProblems", () => {
  it("accepts a complete environment", () => {
    expect(webEnvProblems(good)).toEqual([]);
  });
  it("names the missing variables", () => {
    const { DATABASE_URL: _d, ...rest } = good;
    expect(webEnvProblems(rest)).toEqual(["DATABASE_URL is required (postgresql://…)"]);
  });
  it("names a short secret", () => {
    expect(webEnvProblems({ ...good, NEXTAUTH_SECRET: "short" })).toEqual([
      "NEXTAUTH_SECRET must be at least 16 characters",
    ]);
  });
  it("names a malformed URL", () => {
    expect(webEnvProblems({ ...good, REDIS_URL: "localhost:6379" })).toEqual(["REDIS_URL must be a redis:// URL"]);
  });
});
