// CustomResourceDefinitions with the real kubectl: an operator-style CRD (fixtures/crds) is
// served (discovery, OpenAPI v3 for explain, RBAC), custom resources are pruned, defaulted and
// validated by the schema, printed with the CRD's columns, scaled and status-patched through
// subresources, and deleting the CRD deletes its objects.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KUBECTL, startTestCluster, type TestCluster } from "./cluster.ts";

const fixture = (f: string) => readFileSync(new URL(`./fixtures/crds/${f}`, import.meta.url), "utf8");

let c: TestCluster;
const k = (args: string[], stdin?: string, bin?: string) => c.kubectl(args, { stdin, bin });

beforeAll(async () => {
  c = await startTestCluster();
  let r = await k(["apply", "-f", "-"], fixture("certificates.yaml"));
  expect(r.stderr).toBe("");
  expect(r.stdout.trim()).toBe("customresourcedefinition.apiextensions.k8s.io/certificates.certs.nuage.test created");
  r = await k(["apply", "-f", "-"], fixture("workers.yaml"));
  expect(r.stderr).toBe("");
  r = await k([
    "wait",
    "--for",
    "condition=established",
    "--timeout=20s",
    "crd/certificates.certs.nuage.test",
    "crd/workerpools.ops.nuage.test",
  ]);
  expect(r.stdout).toContain("condition met");
}, 60_000);
afterAll(async () => {
  await c?.stop();
});

const cert = (name: string, extra = "") => `apiVersion: certs.nuage.test/v1
kind: Certificate
metadata:
  name: ${name}
spec:
  secretName: ${name}-tls
  dnsNames: [${name}.example.com]
  issuerRef:
    name: letsencrypt
${extra}`;

describe("a CustomResourceDefinition", () => {
  it("is served: CRD status, api-resources, api-versions and explain", async () => {
    let r = await k(["get", "crd", "certificates.certs.nuage.test", "-o", "json"]);
    const crd = JSON.parse(r.stdout);
    expect(crd.status.acceptedNames.kind).toBe("Certificate");
    expect(crd.status.storedVersions).toEqual(["v1"]);
    expect(crd.metadata.finalizers).toEqual(["customresourcecleanup.apiextensions.k8s.io"]);
    r = await k(["get", "crds"]);
    expect(r.stdout).toMatch(/^NAME\s+CREATED AT\ncertificates\.certs\.nuage\.test\s+\d{4}-/m);
    r = await k(["api-resources", "--api-group=certs.nuage.test"]);
    expect(r.stdout).toMatch(/certificates\s+cert,certs\s+certs\.nuage\.test\/v1\s+true\s+Certificate/);
    r = await k(["api-resources", "--api-group=ops.nuage.test", "--namespaced=false"]);
    expect(r.stdout).toMatch(/workerpools\s+wp\s+ops\.nuage\.test\/v1\s+false\s+WorkerPool/);
    r = await k(["api-versions"]);
    expect(r.stdout).toContain("ops.nuage.test/v1\n");
    expect(r.stdout).toContain("ops.nuage.test/v1beta1\n");
    r = await k(["explain", "certificate.spec.secretName"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("Name of the Secret resource");
  });

  it("defaults, prunes and validates custom resources with upstream messages", async () => {
    let r = await k(["apply", "-f", "-"], cert("web"));
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("certificate.certs.nuage.test/web created");
    r = await k(["get", "cert", "web", "-o", "json"]);
    const obj = JSON.parse(r.stdout);
    expect(obj.spec.duration).toBe("2160h");
    expect(obj.spec.issuerRef).toEqual({ name: "letsencrypt", kind: "Issuer" });
    expect(obj.metadata.generation).toBe(1);
    // Client-side apply again: a JSON merge patch computed from last-applied-configuration.
    r = await k(["apply", "-f", "-"], cert("web"));
    expect(r.stdout.trim()).toBe("certificate.certs.nuage.test/web unchanged");
    r = await k(["apply", "-f", "-"], cert("web").replace("web.example.com", "www.example.com"));
    expect(r.stdout.trim()).toBe("certificate.certs.nuage.test/web configured");
    r = await k(["get", "cert", "web", "-o", "jsonpath={.spec.dnsNames[0]} {.metadata.generation}"]);
    expect(r.stdout).toBe("www.example.com 2");

    r = await k(
      ["apply", "-f", "-"],
      cert("bad", "  usages: [teleport]\n  revisionHistoryLimit: 0\n  commonName: 7\n"),
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('spec.usages[0]: Unsupported value: "teleport": supported values: "signing"');
    expect(r.stderr).toContain(
      "spec.revisionHistoryLimit: Invalid value: 0: spec.revisionHistoryLimit in body should be greater than or equal to 1",
    );
    expect(r.stderr).toContain(
      'spec.commonName: Invalid value: "integer": spec.commonName in body must be of type string: "integer"',
    );
    r = await k(["apply", "-f", "-"], cert("bad2").replace("  secretName: bad2-tls\n", ""));
    expect(r.stderr).toContain("spec.secretName: Required value");
    r = await k(["apply", "-f", "-"], cert("bad3").replace("dnsNames: [bad3.example.com]", "dnsNames: [Not_A_Host]"));
    expect(r.stderr).toContain("spec.dnsNames[0] in body should match");

    // kubectl validates strictly by default: unknown fields are an error; --validate=false prunes them.
    r = await k(["apply", "-f", "-"], cert("extra", "  bogus: 1\n  keystores:\n    anything: {goes: here}\n"));
    expect(r.stderr).toContain('unknown field "spec.bogus"');
    r = await k(
      ["apply", "--validate=false", "-f", "-"],
      cert("extra", "  bogus: 1\n  keystores:\n    anything: {goes: here}\n"),
    );
    expect(r.stderr).toBe("");
    r = await k(["get", "cert", "extra", "-o", "json"]);
    const extra = JSON.parse(r.stdout);
    expect(extra.spec.bogus).toBeUndefined();
    expect(extra.spec.keystores).toEqual({ anything: { goes: "here" } });
  });

  it("prints the CRD's columns, patches status through the subresource and lists by category", async () => {
    await k(["apply", "-f", "-"], cert("api"));
    let r = await k([
      "patch",
      "cert",
      "api",
      "--subresource=status",
      "--type=merge",
      "-p",
      '{"status":{"conditions":[{"type":"Ready","status":"True","message":"Certificate is up to date"}]}}',
    ]);
    expect(r.stderr).toBe("");
    // A status sent to the main resource is ignored.
    r = await k(["patch", "cert", "api", "--type=merge", "-p", '{"status":{"revision":9}}']);
    r = await k(["get", "cert", "api", "-o", "jsonpath={.status.revision}"]);
    expect(r.stdout).toBe("");
    r = await k(["patch", "cert", "api", "-p", '{"spec":{"isCA":true}}']);
    expect(r.stderr).toContain("application/merge-patch+json");
    for (const bin of Object.values(KUBECTL)) {
      r = await k(["get", "certificates", "api"], undefined, bin);
      expect(r.stdout).toMatch(/^NAME\s+READY\s+SECRET\s+AGE\napi\s+True\s+api-tls\s+\d+s\n$/);
      r = await k(["get", "cert", "api", "-o", "wide"], undefined, bin);
      expect(r.stdout).toMatch(
        /^NAME\s+READY\s+SECRET\s+ISSUER\s+STATUS\s+AGE\napi\s+True\s+api-tls\s+letsencrypt\s+Certificate is up to date\s+\d+s\n$/,
      );
    }
    r = await k(["get", "certs-all"]);
    expect(r.stdout).toMatch(/^api\s+True\s+api-tls/m);
  });

  it("scales through the scale subresource, serves two versions and warns on the deprecated one", async () => {
    let r = await k(
      ["apply", "-f", "-"],
      "apiVersion: ops.nuage.test/v1\nkind: WorkerPool\nmetadata:\n  name: pool\nspec: {}\n",
    );
    expect(r.stderr).toBe("");
    r = await k(["get", "wp", "pool", "-o", "jsonpath={.spec.replicas} {.spec.size}"]);
    expect(r.stdout).toBe("1 small");
    for (const bin of Object.values(KUBECTL)) {
      r = await k(["scale", "workerpool", "pool", "--replicas=3"], undefined, bin);
      expect(r.stderr).toBe("");
      expect(r.stdout.trim()).toBe("workerpool.ops.nuage.test/pool scaled");
    }
    r = await k(["get", "workerpools"]);
    expect(r.stdout).toMatch(/^NAME\s+DESIRED\s+CURRENT\npool\s+3\s*\n$/);
    r = await k(["get", "--raw", "/apis/ops.nuage.test/v1/workerpools/pool/scale"]);
    expect(JSON.parse(r.stdout).spec.replicas).toBe(3);
    r = await k(["get", "workerpools.v1beta1.ops.nuage.test", "pool", "-o", "json"]);
    expect(r.stderr).toContain("ops.nuage.test/v1beta1 WorkerPool is deprecated");
    expect(JSON.parse(r.stdout).apiVersion).toBe("ops.nuage.test/v1beta1");
  });

  it("applies custom resources server-side and authorizes them by resource", async () => {
    let r = await k(["apply", "--server-side", "-f", "-"], cert("ssa"));
    expect(r.stdout.trim()).toBe("certificate.certs.nuage.test/ssa serverside-applied");
    r = await k(["get", "cert", "ssa", "-o", "json", "--show-managed-fields"]);
    const mf = JSON.parse(r.stdout).metadata.managedFields;
    expect(mf[0].manager).toBe("kubectl");
    expect(mf[0].fieldsV1["f:spec"]["f:secretName"]).toEqual({});

    const { path } = await c.kubeconfig("crd-reader");
    await k(["create", "role", "cert-reader", "--verb=get,list", "--resource=certificates.certs.nuage.test"]);
    await k(["create", "rolebinding", "cert-reader", "--role=cert-reader", "--user=crd-reader"]);
    r = await c.kubectl(["get", "certs"], { kubeconfig: path });
    expect(r.stdout).toContain("ssa");
    r = await c.kubectl(["get", "workerpools"], { kubeconfig: path });
    expect(r.stderr).toContain(
      'workerpools.ops.nuage.test is forbidden: User "crd-reader" cannot list resource "workerpools" in API group "ops.nuage.test" at the cluster scope',
    );
  });

  it("deleting the CRD deletes its custom resources and stops serving them", async () => {
    let r = await k(["delete", "crd", "certificates.certs.nuage.test", "--timeout=30s"]);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe(
      'customresourcedefinition.apiextensions.k8s.io "certificates.certs.nuage.test" deleted',
    );
    r = await k(["get", "certificates"]);
    // kubectl's cached discovery may still name the resource: then the server answers 404.
    expect(r.stderr).toMatch(/doesn't have a resource type "certificates"|could not find the requested resource/);
    // Installed again, the CRD starts empty: the objects were deleted, not hidden.
    r = await k(["apply", "-f", "-"], fixture("certificates.yaml"));
    expect(r.stderr).toBe("");
    r = await k(["wait", "--for", "condition=established", "--timeout=20s", "crd/certificates.certs.nuage.test"]);
    r = await k(["get", "certificates", "-A"]);
    expect(r.stderr.trim()).toBe("No resources found");
  });
});
