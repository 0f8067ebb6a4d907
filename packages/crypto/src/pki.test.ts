import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  createCA,
  createCsr,
  inspectCertificate,
  issueCertificate,
  renderKubeconfig,
  signCsr,
  verifyCertificate,
} from "./index.ts";

const HOUR = 3_600_000;
const opensslPath = ["/usr/bin/openssl", "/usr/local/bin/openssl"].find((p) => existsSync(p));

describe("PKI", () => {
  it("issues a server certificate that verifies against its CA with its SANs", async () => {
    const ca = await createCA({ commonName: "cluster-a-ca", validityDays: 30 });
    expect(inspectCertificate(ca.certPem).isCA).toBe(true);
    const server = await issueCertificate({
      ca,
      commonName: "kube-apiserver",
      dnsNames: ["localhost", "kubernetes.default.svc"],
      ipAddresses: ["127.0.0.1"],
      usage: "server",
      validityMs: HOUR,
    });
    expect(server.keyPem).toContain("BEGIN PRIVATE KEY");
    expect(await verifyCertificate(server.certPem, ca.certPem)).toBe(true);
    const info = inspectCertificate(server.certPem);
    expect(info.dnsNames).toEqual(["localhost", "kubernetes.default.svc"]);
    expect(info.ipAddresses).toEqual(["127.0.0.1"]);
    expect(info.serialNumber).toBe(server.serialNumber);
    expect(info.notAfter.getTime()).toBe(server.notAfter.getTime());
    expect(server.notAfter.getTime() - Date.now()).toBeLessThanOrEqual(HOUR);
  });

  it("does not verify a certificate against another CA", async () => {
    const ca = await createCA({ commonName: "ca-one" });
    const other = await createCA({ commonName: "ca-two" });
    const cert = await issueCertificate({ ca, commonName: "x", usage: "client", validityMs: HOUR });
    expect(await verifyCertificate(cert.certPem, other.certPem)).toBe(false);
  });

  it("signs a CSR keeping its subject (CN and O)", async () => {
    const ca = await createCA({ commonName: "ca-csr" });
    const csr = await createCsr({ commonName: "system:node:node-1", organizations: ["system:nodes"] });
    const signed = await signCsr({ ca, csrPem: csr.csrPem, usage: "client", validityMs: HOUR });
    expect(signed.subject).toEqual({ commonName: "system:node:node-1", organizations: ["system:nodes"] });
    const info = inspectCertificate(signed.certPem);
    expect(info.commonName).toBe("system:node:node-1");
    expect(info.organizations).toEqual(["system:nodes"]);
    expect(await verifyCertificate(signed.certPem, ca.certPem)).toBe(true);
  });

  it("rejects a malformed CSR naming the field", async () => {
    const ca = await createCA({ commonName: "ca-bad" });
    await expect(signCsr({ ca, csrPem: "nope", usage: "client", validityMs: HOUR })).rejects.toThrow(/csrPem/);
  });

  it.runIf(opensslPath)("is accepted by openssl verify", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nuage-pki-"));
    try {
      const ca = await createCA({ commonName: "openssl-ca" });
      const cert = await issueCertificate({
        ca,
        commonName: "nuage-admin",
        organizations: ["system:masters"],
        usage: "client",
        validityMs: HOUR,
      });
      writeFileSync(join(dir, "ca.pem"), ca.certPem);
      writeFileSync(join(dir, "cert.pem"), cert.certPem);
      const out = execFileSync(opensslPath as string, [
        "verify",
        "-CAfile",
        join(dir, "ca.pem"),
        join(dir, "cert.pem"),
      ]);
      expect(out.toString()).toContain("OK");
      writeFileSync(join(dir, "key.pem"), cert.keyPem);
      const pub1 = execFileSync(opensslPath as string, ["pkey", "-in", join(dir, "key.pem"), "-pubout"]).toString();
      const pub2 = execFileSync(opensslPath as string, [
        "x509",
        "-in",
        join(dir, "cert.pem"),
        "-noout",
        "-pubkey",
      ]).toString();
      expect(pub1).toBe(pub2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("renderKubeconfig", () => {
  it("renders a client-certificate kubeconfig", () => {
    const yaml = renderKubeconfig({
      clusterName: "demo",
      server: "https://127.0.0.1:6443",
      caCertPem: "CA",
      user: "nuage-admin",
      clientCertPem: "CERT",
      clientKeyPem: "KEY",
      namespace: "dev",
    });
    const cfg = parse(yaml);
    expect(cfg["current-context"]).toBe("nuage-admin@demo");
    expect(cfg.clusters[0].cluster.server).toBe("https://127.0.0.1:6443");
    expect(Buffer.from(cfg.clusters[0].cluster["certificate-authority-data"], "base64").toString()).toBe("CA");
    expect(Buffer.from(cfg.users[0].user["client-key-data"], "base64").toString()).toBe("KEY");
    expect(cfg.contexts[0].context.namespace).toBe("dev");
  });

  it("requires credentials", () => {
    expect(() => renderKubeconfig({ clusterName: "d", server: "https://x", caCertPem: "CA", user: "u" })).toThrow(
      /token/,
    );
  });
});
