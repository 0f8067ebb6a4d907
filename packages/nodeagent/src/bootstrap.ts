// TLS bootstrap: with the bootstrap token, ask the cluster for a node client certificate through a
// CertificateSigningRequest, wait for it to be approved and signed, then use it.
import { createCsr } from "@nuage/crypto";
import { KubeApiError, type KubeClient } from "./kubeclient.ts";

export interface NodeCredentials {
  clientCertPem: string;
  clientKeyPem: string;
}

const SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
const CSR_PATH = "/apis/certificates.k8s.io/v1/certificatesigningrequests";

interface Csr {
  metadata: { name: string };
  status?: { certificate?: string; conditions?: Array<{ type: string; status?: string; message?: string }> };
}

export async function requestNodeCertificate(
  client: KubeClient,
  nodeName: string,
  opts: { timeoutMs: number; pollMs?: number; signal?: AbortSignal },
): Promise<NodeCredentials> {
  const { csrPem, keyPem } = await createCsr({
    commonName: `system:node:${nodeName}`,
    organizations: ["system:nodes"],
  });
  const name = `node-csr-${nodeName}-${Date.now().toString(36)}`;
  try {
    await client.create(CSR_PATH, {
      apiVersion: "certificates.k8s.io/v1",
      kind: "CertificateSigningRequest",
      metadata: { name },
      spec: {
        request: Buffer.from(csrPem).toString("base64"),
        signerName: SIGNER,
        usages: ["digital signature", "client auth"],
        expirationSeconds: 365 * 86_400,
      },
    });
  } catch (err) {
    if (!(err instanceof KubeApiError && err.code === 409)) throw err;
  }
  const deadline = Date.now() + opts.timeoutMs;
  // Signing takes a controller round trip: check soon, then back off (50, 100, 200 … 500 ms).
  let poll = opts.pollMs ?? 50;
  while (Date.now() < deadline) {
    if (opts.signal?.aborted) throw new Error("node agent stopped during TLS bootstrap");
    const csr = await client.get<Csr>(`${CSR_PATH}/${name}`);
    const denied = csr.status?.conditions?.find((c) => c.type === "Denied" || c.type === "Failed");
    if (denied)
      throw new Error(`certificate signing request ${name} was ${denied.type.toLowerCase()}: ${denied.message ?? ""}`);
    if (csr.status?.certificate) {
      return { clientCertPem: Buffer.from(csr.status.certificate, "base64").toString("utf8"), clientKeyPem: keyPem };
    }
    await new Promise((r) => setTimeout(r, poll));
    if (opts.pollMs === undefined) poll = Math.min(poll * 2, 500);
  }
  throw new Error(`certificate signing request ${name} was not signed within ${Math.round(opts.timeoutMs / 1000)}s`);
}
