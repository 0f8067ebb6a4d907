// The pure parts of the simulated data plane: what images answer, the load model, DNS.
import { describe, expect, it } from "vitest";
import { parseProgram } from "../script.ts";
import { respond, timeLocal } from "./http.ts";
import { LoadMeter, REQUEST_CPU_MILLICORE_SECONDS, WINDOW_S } from "./load.ts";
import { ClusterNetwork } from "./network.ts";

const req = { method: "GET", path: "/", clientIP: "10.244.1.7", userAgent: "curl/8.5.0" };

describe("simulated HTTP servers", () => {
  it("answers like nginx, with an access line in the image's format", () => {
    const r = respond("nginx:1.25.3", req);
    expect(r.status).toBe(200);
    expect(r.headers.Server).toBe("nginx/1.25.3");
    expect(r.body).toContain("<title>Welcome to nginx!</title>");
    expect(r.accessLog).toMatch(
      /^10\.244\.1\.7 - - \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET \/ HTTP\/1\.1" 200 \d+ "-" "curl\/8\.5\.0" "-"$/,
    );
    const missing = respond("nginx", { ...req, path: "/nope?x=1" });
    expect(missing.status).toBe(404);
    expect(missing.body).toContain("<center>nginx/1.27.3</center>");
    expect(missing.accessLog).toContain('"GET /nope?x=1 HTTP/1.1" 404');
    expect(respond("nginx", { ...req, method: "HEAD" }).body).toBe("");
  });

  it("answers like httpd, and echoes for other images", () => {
    expect(respond("httpd:2.4", req).body).toContain("It works!");
    expect(respond("httpd:2.4", { ...req, path: "/x" }).status).toBe(404);
    const echo = JSON.parse(respond("registry.k8s.io/echoserver:1.10", { ...req, podName: "api-1", host: "a.b" }).body);
    expect(echo).toMatchObject({ hostname: "api-1", host: "a.b", path: "/" });
  });

  it("formats $time_local in UTC", () => {
    expect(timeLocal(new Date("2026-03-05T07:08:09Z"))).toBe("05/Mar/2026:07:08:09 +0000");
  });
});

describe("load model", () => {
  it("costs CPU in proportion to the request rate and decays after the window", () => {
    let now = 1_000_000;
    const m = new LoadMeter(() => now);
    for (let i = 0; i < 50; i++) m.hit(); // 50 requests in one second
    expect(m.millicores()).toBeCloseTo((50 / WINDOW_S) * REQUEST_CPU_MILLICORE_SECONDS);
    now += (WINDOW_S - 1) * 1000;
    expect(m.millicores()).toBeGreaterThan(0);
    now += 2000;
    expect(m.millicores()).toBe(0);
  });
});

describe("simulated cluster DNS and shell", () => {
  it("resolves service names the way a pod's search path does, ExternalName as a CNAME", () => {
    const net = new ClusterNetwork();
    net.replaceServices([
      { metadata: { name: "web", namespace: "shop" }, spec: { clusterIP: "10.96.0.20", ports: [{ port: 80 }] } },
      { metadata: { name: "db", namespace: "shop" }, spec: { type: "ExternalName", externalName: "db.example.com" } },
    ]);
    expect(net.resolve("web", "shop")).toEqual({ ip: "10.96.0.20" });
    expect(net.resolve("web.shop", "default")).toEqual({ ip: "10.96.0.20" });
    expect(net.resolve("web.shop.svc.cluster.local.", "default")).toEqual({ ip: "10.96.0.20" });
    expect(net.resolve("web", "default")).toBeUndefined();
    expect(net.resolve("db", "shop")).toEqual({ cname: "db.example.com" });
    // A headless Service's pods by hostname (StatefulSet pods).
    net.setService({
      metadata: { name: "nginx", namespace: "shop" },
      spec: { clusterIP: "None", ports: [{ port: 80 }] },
    });
    net.setEndpoints({
      metadata: { name: "nginx", namespace: "shop" },
      subsets: [
        {
          addresses: [
            { ip: "10.244.0.5", hostname: "web-0" },
            { ip: "10.244.1.6", hostname: "web-1" },
          ],
        },
      ],
    });
    expect(net.resolve("web-1.nginx", "shop")).toEqual({ ip: "10.244.1.6" });
    expect(net.resolve("web-0.nginx.shop.svc.cluster.local", "default")).toEqual({ ip: "10.244.0.5" });
    expect(net.resolve("nginx.shop", "default")).toEqual({ ip: "10.244.0.5" });
    net.close();
  });

  it("balances endpoints round-robin, or by client with sessionAffinity ClientIP", () => {
    const net = new ClusterNetwork();
    const svc = { metadata: { name: "web", namespace: "a" }, spec: { clusterIP: "10.96.0.9", ports: [{ port: 80 }] } };
    net.setEndpoints({
      metadata: { name: "web", namespace: "a" },
      subsets: [
        { addresses: [{ ip: "10.244.0.2" }, { ip: "10.244.0.3" }, { ip: "10.244.0.4" }], ports: [{ port: 8080 }] },
      ],
    });
    const sp = { port: 80 };
    const rr = [1, 2, 3, 4, 5, 6].map(() => net.pick(svc, sp, "127.0.0.1")?.ip);
    expect(new Set(rr).size).toBe(3);
    expect(net.pick(svc, sp)?.port).toBe(8080);
    const sticky = { ...svc, spec: { ...svc.spec, sessionAffinity: "ClientIP" } };
    const ips = [1, 2, 3, 4].map(() => net.pick(sticky, sp, "127.0.0.1")?.ip);
    expect(new Set(ips).size).toBe(1);
    net.close();
  });

  it("parses wget, curl and nslookup, and `while sleep N` loops", () => {
    const p = parseProgram(["/bin/sh", "-c", "while sleep 0.01; do wget -q -O- http://php-apache; done"], undefined);
    expect(p.loop).toBe(true);
    expect(p.steps).toEqual([
      { op: "sleep", seconds: 0.01 },
      { op: "fetch", tool: "wget", url: "http://php-apache", toStdout: true, quiet: true },
    ]);
    expect(parseProgram(["sh", "-c", "wget -qO- web; curl -s http://x/y; nslookup db"], undefined).steps).toEqual([
      { op: "fetch", tool: "wget", url: "web", toStdout: true, quiet: true },
      { op: "fetch", tool: "curl", url: "http://x/y", toStdout: true, quiet: true },
      { op: "nslookup", host: "db" },
    ]);
  });
});
