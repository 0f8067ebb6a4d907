// Issue #8, traffic: Ingress (networking.k8s.io/v1) with the default IngressClass `nuage` served by
// localcloud: one loopback address per cluster in status.loadBalancer.ingress, host and path
// routing (Exact, Prefix, ImplementationSpecific, wildcard hosts) to Services, the default
// backend, 404 when nothing matches, and validation errors naming the field.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCA, issueCertificate } from "@nuage/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, KUBECTLS, k, kubectl, startTestCluster } from "./helpers.ts";

let env: Awaited<ReturnType<typeof startTestCluster>>;
let kc: string;
let address: string;

function get(host: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    execFile(
      "curl",
      ["-sS", "--max-time", "5", "-H", `Host: ${host}`, "-w", "\n%{http_code}", `http://${address}${path}`],
      { timeout: 10_000 },
      (_err, stdout) => {
        const text = stdout.toString();
        const i = text.lastIndexOf("\n");
        resolve({ status: Number(text.slice(i + 1)), body: text.slice(0, i) });
      },
    );
  });
}

function run(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: 10_000 }, (_err, stdout, stderr) => resolve(`${stdout}${stderr}`));
  });
}

/** Who answered: the echo server's deployment, "nginx" (the nginx pod, any status), or the ingress's own status. */
async function who(host: string, path: string): Promise<string> {
  const r = await get(host, path);
  if (r.body.includes("Welcome to nginx!") || r.body.includes("<center>nginx/1.27")) return "nginx";
  if (r.status !== 200) return String(r.status);
  return (JSON.parse(r.body) as { hostname: string }).hostname.replace(/-[a-z0-9]+-[a-z0-9]+$/, "");
}

const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
spec:
  rules:
    - host: shop.example.com
      http:
        paths:
          - { path: /api, pathType: Prefix, backend: { service: { name: api, port: { number: 8080 } } } }
          - { path: /, pathType: Prefix, backend: { service: { name: web, port: { name: http } } } }
    - host: "*.wild.example"
      http:
        paths:
          - { path: /, pathType: Prefix, backend: { service: { name: api, port: { number: 8080 } } } }
    - http:
        paths:
          - { path: /exact, pathType: Exact, backend: { service: { name: api, port: { number: 8080 } } } }
          - { path: /impl, pathType: ImplementationSpecific, backend: { service: { name: web, port: { name: http } } } }
`;

beforeAll(async () => {
  env = await startTestCluster(2);
  kc = env.cluster.kubeconfigPath;
  await k(kc, ["create", "deployment", "web", "--image=nginx:1.27", "--port=80"]);
  await k(kc, ["create", "service", "clusterip", "web", "--tcp=80:80"]);
  await k(kc, ["create", "deployment", "api", "--image=registry.k8s.io/echoserver:1.10", "--port=8080"]);
  await k(kc, ["expose", "deployment", "api", "--port=8080"]);
  // `kubectl create service` names the port "80-80": rename it so the Ingress can use a port name.
  await k(kc, [
    "patch",
    "service",
    "web",
    "--type=json",
    "-p",
    '[{"op":"replace","path":"/spec/ports/0/name","value":"http"}]',
  ]);
  for (const d of ["web", "api"]) {
    await eventually(async () => {
      const r = await k(kc, ["get", "deploy", d, "-o", "jsonpath={.status.readyReplicas}"]);
      if (r !== "1") throw new Error(`${d} ready ${r}`);
    }, 60_000);
  }
}, 150_000);

afterAll(async () => {
  await env?.close();
});

describe("Ingress served by localcloud", () => {
  it("has a default IngressClass nuage", async () => {
    const out = await eventually(async () => k(kc, ["get", "ingressclass"]), 20_000);
    expect(out).toMatch(/^NAME\s+CONTROLLER\s+PARAMETERS\s+AGE/);
    expect(out).toMatch(/\nnuage\s+nuage\.io\/ingress\s+<none>/);
    const ann = await k(kc, ["get", "ingressclass", "nuage", "-o", "jsonpath={.metadata.annotations}"]);
    expect(ann).toContain('"ingressclass.kubernetes.io/is-default-class":"true"');
  });

  it("publishes the cluster's ingress address and routes by host and path", async () => {
    await k(kc, ["apply", "-f", "-"], { input: ingress });
    expect(await k(kc, ["get", "ingress", "shop", "-o", "jsonpath={.spec.ingressClassName}"])).toBe("nuage");
    address = await eventually(async () => {
      const ip = await k(kc, ["get", "ingress", "shop", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}"]);
      if (!/^127\./.test(ip)) throw new Error(`no address yet: ${ip}`);
      return ip;
    }, 20_000);
    const table = await k(kc, ["get", "ingress"]);
    expect(table).toMatch(/^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE/);
    expect(table).toContain(`shop   nuage   shop.example.com,*.wild.example   ${address}   80`);

    await eventually(async () => {
      if ((await who("shop.example.com", "/")) !== "nginx") throw new Error("not routed yet");
    }, 15_000);
    expect(await who("shop.example.com", "/api")).toBe("api");
    expect(await who("shop.example.com", "/api/v1/items?x=1")).toBe("api");
    expect(await who("shop.example.com", "/apix")).toBe("nginx"); // Prefix matches whole path elements
    expect(await who("a.wild.example", "/anything")).toBe("api");
    expect(await who("a.b.wild.example", "/exact")).toBe("api"); // the wildcard covers one label: falls to the host-less rule
    expect(await who("other.example", "/exact")).toBe("api");
    expect(await who("other.example", "/exact/more")).toBe("404");
    expect(await who("other.example", "/impl")).toBe("nginx");
    const missing = await get("nowhere.example", "/");
    expect(missing.status).toBe(404);
    expect(missing.body).toContain("<title>404 Not Found</title>");
    // The echo server sees the forwarded headers.
    const echoed = JSON.parse((await get("shop.example.com", "/api")).body) as { host: string };
    expect(echoed.host).toBe("shop.example.com");
  });

  it("takes Ingresses made by kubectl create ingress (protobuf bodies) from every kubectl", async () => {
    for (const [i, bin] of KUBECTLS.entries()) {
      await k(kc, ["create", "ingress", `simple-${i}`, `--rule=simple${i}.example/*=api:8080`], { bin });
      expect(await k(kc, ["get", "ingress", `simple-${i}`, "-o", "jsonpath={.spec.rules[0].http.paths[0].path}"])).toBe(
        "/",
      );
      await eventually(async () => {
        if ((await who(`simple${i}.example`, "/x")) !== "api") throw new Error("not routed yet");
      }, 15_000);
    }
  });

  it("sends what no rule matches to a default backend", async () => {
    await k(kc, ["create", "ingress", "fallback", "--default-backend=web:http"]);
    await eventually(async () => {
      if ((await who("nowhere.example", "/")) !== "nginx") throw new Error("default backend not used yet");
    }, 15_000);
    expect(await who("shop.example.com", "/api")).toBe("api");
  });

  it("serves HTTPS with the Ingress's TLS Secret (by SNI), else a self-signed default", async () => {
    const ca = await createCA({ commonName: "ingress-test-ca" });
    const cert = await issueCertificate({
      ca,
      commonName: "secure.example",
      dnsNames: ["secure.example"],
      usage: "server",
      validityMs: 3_600_000,
    });
    const dir = mkdtempSync(join(tmpdir(), "nuage-ingress-tls-"));
    try {
      writeFileSync(join(dir, "ca.pem"), ca.certPem);
      writeFileSync(join(dir, "tls.crt"), cert.certPem);
      writeFileSync(join(dir, "tls.key"), cert.keyPem);
      await k(kc, [
        "create",
        "secret",
        "tls",
        "secure-tls",
        `--cert=${join(dir, "tls.crt")}`,
        `--key=${join(dir, "tls.key")}`,
      ]);
      await k(kc, ["apply", "-f", "-"], {
        input: `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: secure }
spec:
  tls: [{ hosts: [secure.example], secretName: secure-tls }]
  rules:
    - host: secure.example
      http:
        paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { name: http } } } }]
`,
      });
      expect(await k(kc, ["get", "ingress", "secure", "--no-headers"])).toMatch(
        /secure\s+nuage\s+secure\.example\s+\S*\s+80, 443/,
      );
      // Verified against the test CA: the Secret's certificate is served for its host.
      const ok = await eventually(async () => {
        const r = await run("curl", [
          "-sS",
          "--max-time",
          "5",
          "--cacert",
          join(dir, "ca.pem"),
          "--resolve",
          `secure.example:443:${address}`,
          "https://secure.example/",
        ]);
        if (!r.includes("Welcome to nginx!")) throw new Error(r);
        return r;
      }, 20_000);
      expect(ok).toContain("Welcome to nginx!");
      const other = await run("curl", [
        "-sSkv",
        "--max-time",
        "5",
        "--resolve",
        `other.example:443:${address}`,
        "https://other.example/",
      ]);
      expect(other).toContain("CN=Kubernetes Ingress Controller Fake Certificate");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("answers 503 when the backend Service has no ready endpoint", async () => {
    await k(kc, ["scale", "deployment", "api", "--replicas=0"]);
    await eventually(async () => {
      const r = await get("shop.example.com", "/api");
      if (r.status !== 503) throw new Error(`status ${r.status}`);
    }, 20_000);
  });

  it("rejects a path without pathType, naming the field", async () => {
    const r = await kubectl(kc, ["apply", "-f", "-"], {
      input: `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: bad }
spec:
  rules:
    - http:
        paths:
          - { path: /, backend: { service: { name: web, port: { number: 80 } } } }
`,
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified");
  });
});
