// Ingress routing precedence (host, then Exact, then the longest Prefix), pure.
import { describe, expect, it } from "vitest";
import { route, tlsSecretFor } from "./ingress.ts";

const backend = (name: string) => ({ service: { name, port: { number: 80 } } });
const ing = (name: string, spec: Record<string, unknown>, created = "2026-01-01T00:00:00Z") => ({
  metadata: { name, namespace: "default", creationTimestamp: created },
  spec,
});

const shop = ing("shop", {
  rules: [
    {
      host: "shop.example.com",
      http: {
        paths: [
          { path: "/", pathType: "Prefix", backend: backend("web") },
          { path: "/api", pathType: "Prefix", backend: backend("api") },
          { path: "/api/v2/", pathType: "Prefix", backend: backend("api2") },
          { path: "/api/health", pathType: "Exact", backend: backend("health") },
        ],
      },
    },
    { host: "*.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: backend("wild") }] } },
    { http: { paths: [{ path: "/static", pathType: "ImplementationSpecific", backend: backend("static") }] } },
  ],
});

const to = (host: string, path: string, list = [shop]) => route(list, host, path)?.backend.service?.name;

describe("ingress routing", () => {
  it("prefers the exact host, Exact paths and the longest prefix by path elements", () => {
    expect(to("shop.example.com:80", "/")).toBe("web");
    expect(to("shop.example.com", "/api")).toBe("api");
    expect(to("shop.example.com", "/api/")).toBe("api");
    expect(to("shop.example.com", "/apis")).toBe("web");
    expect(to("shop.example.com", "/api/v2/items?q=1")).toBe("api2");
    expect(to("shop.example.com", "/api/v2")).toBe("api2");
    expect(to("shop.example.com", "/api/health")).toBe("health");
    expect(to("shop.example.com", "/api/health/x")).toBe("api");
  });

  it("matches one label for a wildcard host, then rules without host", () => {
    expect(to("a.example.com", "/x")).toBe("wild");
    expect(to("a.b.example.com", "/x")).toBeUndefined();
    expect(to("a.b.example.com", "/staticfiles")).toBe("static");
  });

  it("falls back to the oldest defaultBackend, else nothing (404)", () => {
    const fb = ing("fb", { defaultBackend: backend("fallback") }, "2026-02-01T00:00:00Z");
    expect(to("other.org", "/", [shop, fb])).toBe("fallback");
    expect(to("other.org", "/")).toBeUndefined();
  });
});

describe("ingress TLS", () => {
  it("picks the Secret of the TLS entry naming the SNI host, exact before wildcard", () => {
    const a = ing("a", { tls: [{ hosts: ["*.example.com"], secretName: "wild" }] });
    const b = ing("b", { tls: [{ hosts: ["shop.example.com"], secretName: "shop" }] });
    expect(tlsSecretFor([a, b], "shop.example.com")).toEqual({ namespace: "default", name: "shop" });
    expect(tlsSecretFor([a, b], "blog.example.com")).toEqual({ namespace: "default", name: "wild" });
    expect(tlsSecretFor([a, b], "a.b.example.com")).toBeUndefined();
  });
});
