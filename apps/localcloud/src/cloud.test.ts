import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseRegions } from "./catalog.ts";
import { Cloud } from "./cloud.ts";

let dir: string;
let cloud: Cloud;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "nuage-localcloud-"));
  cloud = new Cloud({ dataDir: dir, etcdUrl: "http://127.0.0.1:1" });
});
afterEach(async () => {
  await cloud.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("localcloud VMs", () => {
  it("is idempotent on the caller's id", () => {
    const a = cloud.createVm({ id: "vm-a", flavor: "s-2vcpu-4gb" });
    const b = cloud.createVm({ id: "vm-a", flavor: "s-2vcpu-4gb" });
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.vm.hostId).toBe(a.vm.hostId);
    expect(cloud.listVms()).toHaveLength(1);
  });

  it("spreads VMs across zones", () => {
    const zones = [1, 2, 3].map((i) => cloud.createVm({ id: `vm-${i}`, flavor: "s-1vcpu-2gb" }).vm.zone);
    expect(new Set(zones).size).toBe(3);
  });

  it("fails clearly when a zone is full, and keeps state across a restart", async () => {
    for (const h of cloud.state.doc.hosts) if (h.zone === "local-1a") h.memoryMiB = 20_000;
    cloud.createVm({ id: "big-1", flavor: "c-8vcpu-16gb", zone: "local-1a" });
    expect(() => cloud.createVm({ id: "big-x", flavor: "c-8vcpu-16gb", zone: "local-1a" })).not.toThrow();
    cloud.createVm({ id: "big-y", flavor: "c-8vcpu-16gb", zone: "local-1a" });
    expect(() => cloud.createVm({ id: "big-z", flavor: "c-8vcpu-16gb", zone: "local-1a" })).toThrow(
      "no host in zone local-1a has 8 vCPU and 16 GiB free",
    );
    await cloud.close();
    cloud = new Cloud({ dataDir: dir, etcdUrl: "http://127.0.0.1:1" });
    expect(
      cloud
        .listVms()
        .map((v) => v.id)
        .sort(),
    ).toEqual(["big-1", "big-x", "big-y"]);
  });

  it("refuses a host that is down", async () => {
    for (const h of cloud.state.doc.hosts) if (h.zone === "local-1b") await cloud.setHostUp(h.id, false);
    expect(() => cloud.createVm({ id: "vm-b", flavor: "s-1vcpu-2gb", zone: "local-1b" })).toThrow(
      /no host in zone local-1b/,
    );
  });

  it("takes its regions and zones from configuration on first start", async () => {
    const other = mkdtempSync(join(tmpdir(), "nuage-localcloud-"));
    const c = new Cloud({
      dataDir: other,
      etcdUrl: "http://127.0.0.1:1",
      regions: parseRegions("eu-1:eu-1a,eu-1b;us-1:us-1a"),
      hostsPerZone: 2,
    });
    expect(c.listRegions()).toEqual([
      { name: "eu-1", zones: ["eu-1a", "eu-1b"] },
      { name: "us-1", zones: ["us-1a"] },
    ]);
    expect(c.listHosts()).toHaveLength(6);
    await c.close();
    rmSync(other, { recursive: true, force: true });
    expect(() => parseRegions("nozones")).toThrow(/region:zone1,zone2/);
  });
});
