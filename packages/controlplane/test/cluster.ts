// Test helper: a real HTTPS control plane with its own CA, plus kubeconfigs for real kubectl.
import { execFile } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCA, issueCertificate, renderKubeconfig } from "@nuage/crypto";
import { type ControlPlane, type ControlPlaneConfig, startControlPlane } from "../src/server.ts";
import { ETCD_URL, randomPrefix } from "./helpers.ts";

export const KUBECTL = {
  "1.32": "/usr/bin/kubectl",
  "1.27": "/usr/lib/google-cloud-sdk/bin/kubectl.1.27",
  "1.33": "/usr/lib/google-cloud-sdk/bin/kubectl.1.33",
};

const DAY = 24 * 3600 * 1000;

export interface TestCluster {
  cp: ControlPlane;
  dir: string;
  server: string;
  ca: { certPem: string; keyPem: string };
  revocationFile: string;
  kubeconfig(user: string, groups?: string[]): Promise<{ path: string; serial: string }>;
  kubectl(
    args: string[],
    opts?: { kubeconfig?: string; stdin?: string; bin?: string },
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

export async function startTestCluster(extra: Partial<ControlPlaneConfig> = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), "nuage-cp-"));
  const ca = await createCA({ commonName: "nuage-test-ca" });
  const serverCert = await issueCertificate({
    ca,
    commonName: "kube-apiserver",
    dnsNames: ["localhost", "kubernetes", "kubernetes.default.svc"],
    ipAddresses: ["127.0.0.1"],
    usage: "server",
    validityMs: DAY,
  });
  const sa = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const revocationFile = join(dir, "revoked.json");
  writeFileSync(revocationFile, JSON.stringify({ serials: [], tokenIds: [] }));
  const prefix = randomPrefix();
  const cfg: ControlPlaneConfig = {
    name: `test-${prefix.slice(-6)}`,
    etcd: { url: ETCD_URL, prefix },
    listen: { host: "127.0.0.1", port: 0 },
    tls: {
      caCertPem: ca.certPem,
      caKeyPem: ca.keyPem,
      serverCertPem: serverCert.certPem,
      serverKeyPem: serverCert.keyPem,
    },
    serviceAccountKeyPem: sa.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    encryptionKeyBase64: randomBytes(32).toString("base64"),
    revocationFile,
    version: "v1.33.1",
    controllers: false,
    ...extra,
  };
  const cp = await startControlPlane(cfg);
  const server = `https://127.0.0.1:${cp.port}`;
  const admin = await makeKubeconfig("admin", ["system:masters"]);
  async function makeKubeconfig(user: string, groups: string[] = []) {
    const cert = await issueCertificate({
      ca,
      commonName: user,
      organizations: groups,
      usage: "client",
      validityMs: DAY,
    });
    const path = join(dir, `${user}-${randomBytes(3).toString("hex")}.kubeconfig`);
    writeFileSync(
      path,
      renderKubeconfig({
        clusterName: "test",
        server,
        caCertPem: ca.certPem,
        user,
        clientCertPem: cert.certPem,
        clientKeyPem: cert.keyPem,
      }),
    );
    return { path, serial: cert.serialNumber };
  }
  return {
    cp,
    dir,
    server,
    ca,
    revocationFile,
    kubeconfig: makeKubeconfig,
    kubectl(args, opts = {}) {
      return new Promise((resolve) => {
        const child = execFile(
          opts.bin ?? KUBECTL["1.32"],
          ["--kubeconfig", opts.kubeconfig ?? admin.path, ...args],
          { env: { PATH: process.env.PATH, HOME: dir }, timeout: 60_000 },
          (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
        if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
      });
    },
    async stop() {
      await cp.api.store.storage.deletePrefix().catch(() => {});
      await cp.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
