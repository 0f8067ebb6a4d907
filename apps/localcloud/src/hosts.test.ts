import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Cloud } from "./cloud.ts";
import { describeHosts, setHostState, setVmCreateFault } from "./hosts.ts";

let dir: string;
let cloud: Cloud;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "nuage-localcloud-hosts-"));
  cloud = new Cloud({ dataDir: dir, etcdUrl: "http://127.0.0.1:1" });
});
afterEach(async () => {
  await cloud.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("localcloud hosts (operator)", () => {
  it("lists allocation and VMs per host", () => {
    const vm = cloud.createVm({ id: "vm-a", flavor: "s-2vcpu-4gb" }).vm;
    const host = describeHosts(cloud).find((h) => h.id === vm.hostId)!;
    expect(host).toMatchObject({ state: "up", capacity: { vcpus: 256 }, used: { vcpus: 2, memoryMiB: 4096 } });
    expect(host.vms).toEqual([expect.objectContaining({ id: "vm-a", flavor: "s-2vcpu-4gb" })]);
  });

  it("a down host takes no VM and shows its VMs as host-down; up brings it back", async () => {
    const vm = cloud.createVm({ id: "vm-b", flavor: "s-1vcpu-2gb" }).vm;
    await setHostState(cloud, vm.hostId, "down");
    expect(cloud.describeVm(cloud.getVm("vm-b")).hostUp).toBe(false);
    expect(describeHosts(cloud).find((h) => h.id === vm.hostId)?.state).toBe("down");
    for (let i = 0; i < 20; i++) {
      expect(cloud.createVm({ id: `vm-x${i}`, flavor: "s-1vcpu-2gb" }).vm.hostId).not.toBe(vm.hostId);
    }
    await setHostState(cloud, vm.hostId, "up");
    expect(cloud.describeVm(cloud.getVm("vm-b")).hostUp).toBe(true);
  });

  it("draining moves every VM to other hosts and keeps new ones away", async () => {
    const a = cloud.createVm({ id: "vm-c", flavor: "s-1vcpu-2gb" }).vm;
    const r = await setHostState(cloud, a.hostId, "draining");
    expect(r).toMatchObject({ state: "draining", vmCount: 0, remaining: 0 });
    expect(cloud.getVm("vm-c").hostId).not.toBe(a.hostId);
    expect(cloud.createVm({ id: "vm-d", flavor: "s-1vcpu-2gb" }).vm.hostId).not.toBe(a.hostId);
    await expect(setHostState(cloud, "nope", "down")).rejects.toThrow("host nope");
  });

  it("an injected fault fails VM creates of one control plane until cleared", () => {
    cloud.faults.add("cp-other");
    setVmCreateFault(cloud, "cp-f", true);
    expect(cloud.faults.has("cp-f")).toBe(true);
    setVmCreateFault(cloud, "cp-f", false);
    expect(cloud.faults.has("cp-f")).toBe(false);
  });
});
