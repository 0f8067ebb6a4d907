import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cloud } from "./cloud.ts";
import { createApiServer } from "./http.ts";

let dir: string;
let cloud: Cloud;
let server: ReturnType<typeof createApiServer>;
let base: string;
const token = "t".repeat(32);

async function call(method: string, path: string, body?: unknown, auth = true) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(auth ? { authorization: `Bearer ${token}` } : {}), "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "nuage-localcloud-http-"));
  cloud = new Cloud({ dataDir: dir, etcdUrl: "http://127.0.0.1:1" });
  server = createApiServer(cloud, token, () => undefined);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.close();
  await cloud.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("localcloud HTTP API", () => {
  it("needs the bearer token, except for health and the OpenAPI document", async () => {
    expect((await call("GET", "/v1/vms", undefined, false)).status).toBe(401);
    expect((await call("GET", "/healthz", undefined, false)).status).toBe(200);
    expect((await call("GET", "/openapi.json", undefined, false)).body.openapi).toBe("3.1.0");
  });

  it("creates once and returns the same VM on retry", async () => {
    const first = await call("PUT", "/v1/vms/web-1", { flavor: "s-1vcpu-2gb" });
    const again = await call("PUT", "/v1/vms/web-1", { flavor: "s-1vcpu-2gb" });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.hostId).toBe(first.body.hostId);
    const list = await call("GET", "/v1/vms");
    expect((list.body.items as unknown[]).length).toBe(1);
  });

  it("names the bad field", async () => {
    const r = await call("PUT", "/v1/vms/Bad_Name", { flavor: "s-1vcpu-2gb" });
    expect(r.status).toBe(422);
    expect(r.body.message).toMatch(/^id: must be a lower-case DNS label/);
    const f = await call("POST", "/v1/vms", { id: "x-1" });
    expect(f.status).toBe(422);
    expect(f.body.message).toMatch(/^flavor:/);
  });

  it("answers 404 and 405 clearly", async () => {
    expect((await call("GET", "/v1/vms/nope")).body).toEqual({ code: "NotFound", message: "VM nope not found" });
    expect((await call("PATCH", "/v1/vms/web-1", {})).status).toBe(405);
  });

  it("keeps volumes attached to a VM until detached", async () => {
    const zone = (await call("GET", "/v1/vms/web-1")).body.zone as string;
    expect((await call("PUT", "/v1/volumes/vol-1", { sizeGiB: 10, zone })).status).toBe(201);
    expect((await call("POST", "/v1/volumes/vol-1/attach", { vmId: "web-1" })).body.status).toBe("in-use");
    expect((await call("DELETE", "/v1/volumes/vol-1")).status).toBe(409);
    await call("POST", "/v1/volumes/vol-1/detach");
    expect((await call("DELETE", "/v1/volumes/vol-1")).status).toBe(200);
  });
});
