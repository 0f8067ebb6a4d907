import { describe, expect, it } from "vitest";
import { ZPassword } from "./password.ts";
import { requireRole, roleAtLeast } from "./roles.ts";

describe("roles", () => {
  it("orders owner > admin > member > viewer > billing", () => {
    expect(roleAtLeast("owner", "admin")).toBe(true);
    expect(roleAtLeast("admin", "owner")).toBe(false);
    expect(roleAtLeast("viewer", "member")).toBe(false);
    expect(roleAtLeast("billing", "viewer")).toBe(false);
  });
  it("says which role cannot do what", () => {
    expect(() => requireRole("viewer", "admin", "invite members")).toThrow("Your role (viewer) cannot invite members");
    expect(() => requireRole("owner", "admin", "invite members")).not.toThrow();
  });
});

describe("password policy", () => {
  it("wants 10+ characters with a letter and a digit", () => {
    expect(ZPassword.safeParse("short1").success).toBe(false);
    expect(ZPassword.safeParse("onlyletters").success).toBe(false);
    expect(ZPassword.safeParse("1234567890").success).toBe(false);
    expect(ZPassword.safeParse("letters-and-1").success).toBe(true);
  });
});
