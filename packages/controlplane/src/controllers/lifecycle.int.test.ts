import { createCA, createCsr, inspectCertificate, signCsr, verifyCertificate } from "@nuage/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findResource } from "../apiserver/registry.ts";
import type { KubeObject } from "../client.ts";
import type { Pod } from "./podutil.ts";
import { R } from "./refs.ts";
import { createNode, deployment, eventually, startEnv } from "./testenv.ts";

let env: Awaited<ReturnType<typeof startEnv>>;
let ca: Awaited<ReturnType<typeof createCA>>;

beforeAll(async () => {
  ca = await createCA({ commonName: "test-cluster-ca" });
  env = await startEnv({
    nodeMonitorGracePeriodSeconds: 2,
    podEvictionTimeoutSeconds: 1,
    signCsr: async (csrPem, o) =>
      (await signCsr({ ca, csrPem, usage: "client", validityMs: (o.expirationSeconds ?? 86_400) * 1000 })).certPem,
  });
  env.fakeKubelets();
});
afterAll(async () => {
  await env?.stop();
});

async function renewLease(name: string) {
  const c = env.client;
  const body: KubeObject = {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name, namespace: "kube-node-lease" },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date().toISOString().replace("Z", "000Z") },
  };
  try {
    const cur = await c.get(R.leases, "kube-node-lease", name);
    await c.update(R.leases, { ...cur, spec: body.spec });
  } catch {
    await c.create(R.leases, body);
  }
}

describe("node lifecycle", () => {
  it("marks a silent node Unknown, taints it, evicts its pods, and untaints it when it is back", async () => {
    const c = env.client;
    await createNode(c, "live");
    await createNode(c, "dying");
    let alive = true;
    const beat = setInterval(() => {
      void renewLease("live").catch(() => {});
      if (alive) void renewLease("dying").catch(() => {});
    }, 500);
    try {
      await c.create(R.deployments, deployment("default", "evictme", 2) as KubeObject);
      await eventually(
        async () => (await c.get<any>(R.deployments, "default", "evictme")).status?.availableReplicas === 2,
        20_000,
      );
      alive = false;
      const node = await eventually(
        async () => {
          const n = await c.get<any>(R.nodes, undefined, "dying");
          return n.spec?.taints?.some(
            (t: any) => t.key === "node.kubernetes.io/unreachable" && t.effect === "NoExecute",
          )
            ? n
            : undefined;
        },
        15_000,
        "unreachable taint",
      );
      expect(node.status.conditions.find((x: any) => x.type === "Ready")).toMatchObject({
        status: "Unknown",
        reason: "NodeStatusUnknown",
        message: "Kubelet stopped posting node status.",
      });
      expect((await c.get<any>(R.nodes, undefined, "live")).spec?.taints ?? []).toEqual([]);
      // Evicted after the (shortened) default toleration, recreated on the live node.
      await eventually(
        async () => {
          const pods = (await c.list<Pod>(R.pods, { namespace: "default", labelSelector: "app=evictme" })).items;
          const running = pods.filter((p) => !p.metadata.deletionTimestamp);
          return (
            running.length === 2 &&
            running.every((p) => p.spec?.nodeName === "live") &&
            pods.every((p) => p.spec?.nodeName === "live")
          );
        },
        20_000,
        "pods moved to the live node",
      );
      const evs = (await c.list<any>(R.events, { namespace: "default" })).items;
      expect(
        evs.some(
          (e) =>
            e.reason === "TaintManagerEviction" && e.message.startsWith("Marking for deletion Pod default/evictme-"),
        ),
      ).toBe(true);
      alive = true;
      await eventually(
        async () => {
          const n = await c.get<any>(R.nodes, undefined, "dying");
          const ready = n.status.conditions.find((x: any) => x.type === "Ready");
          return (
            ready.status === "True" && !(n.spec?.taints ?? []).some((t: any) => t.key.startsWith("node.kubernetes.io/"))
          );
        },
        15_000,
        "node back without taints",
      );
    } finally {
      clearInterval(beat);
    }
  });
});

describe("CSR approving and signing", () => {
  // The API server records the requester's identity in the CSR: create it as a bootstrap token
  // user would through HTTP, via the store with that user's request context.
  const createAs = (name: string, groups: string[], obj: KubeObject) =>
    env.server.store.create(
      { user: { name, groups }, warnings: [] },
      findResource("certificates.k8s.io", "v1", "certificatesigningrequests")!,
      obj,
    );
  const csrObj = (name: string, pem: string): KubeObject => ({
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { name },
    spec: {
      request: Buffer.from(pem).toString("base64"),
      signerName: "kubernetes.io/kube-apiserver-client-kubelet",
      usages: ["digital signature", "client auth"],
    },
  });

  it("approves and signs a bootstrap kubelet CSR for system:node:<name>", async () => {
    const c = env.client;
    const { csrPem } = await createCsr({ commonName: "system:node:worker-1", organizations: ["system:nodes"] });
    await createAs(
      "system:bootstrap:abcdef",
      ["system:bootstrappers", "system:authenticated"],
      csrObj("node-csr-1", csrPem),
    );
    const done = await eventually(
      async () => {
        const o = await c.get<any>(R.csrs, undefined, "node-csr-1");
        return o.status?.certificate ? o : undefined;
      },
      15_000,
      "signed certificate",
    );
    expect(done.status.conditions[0]).toMatchObject({ type: "Approved", status: "True", reason: "AutoApproved" });
    const pem = Buffer.from(done.status.certificate, "base64").toString();
    expect(await verifyCertificate(pem, ca.certPem)).toBe(true);
    expect(inspectCertificate(pem)).toMatchObject({
      commonName: "system:node:worker-1",
      organizations: ["system:nodes"],
    });
  });

  it("leaves a CSR whose subject is not a node pending", async () => {
    const c = env.client;
    const { csrPem } = await createCsr({ commonName: "admin", organizations: ["system:masters"] });
    await createAs(
      "system:bootstrap:abcdef",
      ["system:bootstrappers", "system:authenticated"],
      csrObj("evil-csr", csrPem),
    );
    await new Promise((r) => setTimeout(r, 1500));
    const o = await c.get<any>(R.csrs, undefined, "evil-csr");
    expect(o.status?.conditions ?? []).toEqual([]);
    expect(o.status?.certificate).toBeUndefined();
  });
});
