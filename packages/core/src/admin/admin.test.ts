import { describe, expect, it } from "vitest";
import { csvCell } from "./audit.ts";
import { tenantStatus } from "./tenants.ts";
import { signViewAs, verifyViewAs } from "./viewas.ts";

process.env.NEXTAUTH_SECRET ??= "admin-unit-test-secret-0123456789";

describe("admin helpers", () => {
  it("quotes CSV cells and neutralises formulas", () => {
    expect(csvCell('a "b", c')).toBe('"a ""b"", c"');
    expect(csvCell("=HYPERLINK(1)")).toBe(`"'=HYPERLINK(1)"`);
    expect(csvCell("@x")).toBe(`"'@x"`);
    expect(csvCell(null)).toBe('""');
    expect(csvCell(new Date("2026-01-02T03:04:05Z"))).toBe('"2026-01-02T03:04:05.000Z"');
  });

  it("derives a tenant's status, deletion first", () => {
    const now = new Date("2026-06-01T00:00:00Z");
    const base = { deletedAt: null, deletingAt: null, suspendedAt: null, trialEndsAt: null };
    expect(tenantStatus(base, now)).toBe("active");
    expect(tenantStatus({ ...base, trialEndsAt: new Date("2026-06-10T00:00:00Z") }, now)).toBe("trial");
    expect(tenantStatus({ ...base, trialEndsAt: new Date("2026-05-10T00:00:00Z") }, now)).toBe("active");
    expect(tenantStatus({ ...base, suspendedAt: now, trialEndsAt: new Date("2026-06-10T00:00:00Z") }, now)).toBe(
      "suspended",
    );
    expect(tenantStatus({ ...base, suspendedAt: now, deletingAt: now }, now)).toBe("deleting");
    expect(tenantStatus({ ...base, deletingAt: now, deletedAt: now }, now)).toBe("deleted");
  });

  it("view-as cookies are bound to the user, expire, and resist tampering", () => {
    const c = signViewAs("user1", "org1", Date.now() + 60_000);
    expect(verifyViewAs(c, "user1")).toBe("org1");
    expect(verifyViewAs(c, "user2")).toBeNull();
    expect(verifyViewAs(c.replace("org1", "org2"), "user1")).toBeNull();
    expect(verifyViewAs(signViewAs("user1", "org1", Date.now() - 1), "user1")).toBeNull();
    expect(verifyViewAs("garbage", "user1")).toBeNull();
    expect(verifyViewAs(null, "user1")).toBeNull();
  });
});
