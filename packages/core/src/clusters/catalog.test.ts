import { describe, expect, it } from "vitest";
import { estimate, FLAVORS, HOURS_PER_MONTH, VERSIONS } from "./catalog.ts";
import { ZCreateClusterInput } from "./schemas.ts";

describe("cluster catalog", () => {
  it("has exactly one default version and integer prices", () => {
    expect(VERSIONS.filter((v) => v.isDefault)).toHaveLength(1);
    for (const f of FLAVORS) expect(Number.isInteger(f.priceCentsHourly)).toBe(true);
  });

  it("estimates in integer cents (monthly = hourly × 730)", () => {
    const e = estimate({ haControlPlane: false, nodePools: [{ flavor: "s-2vcpu-4gb", count: 3 }] });
    expect(e).toMatchObject({ hourlyCents: 12, monthlyCents: 12 * HOURS_PER_MONTH, vcpus: 6, nodes: 3 });
  });

  it("validates names, pools and defaults", () => {
    const ok = ZCreateClusterInput.parse({ name: "web", nodePools: [{ name: "p", flavor: "s-1vcpu-2gb", count: 1 }] });
    expect(ok).toMatchObject({ region: "local-1", version: "1.32", haControlPlane: false });
    const dup = ZCreateClusterInput.safeParse({
      name: "web",
      nodePools: [
        { name: "p", flavor: "s-1vcpu-2gb", count: 1 },
        { name: "p", flavor: "s-1vcpu-2gb", count: 1 },
      ],
    });
    expect(dup.error?.issues[0]?.message).toBe("Node pool names must be unique");
    const bad = ZCreateClusterInput.safeParse({ name: "-x", nodePools: [] });
    expect(bad.success).toBe(false);
  });
});
