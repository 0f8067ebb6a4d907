// Test helper: a control plane with its controllers and scheduler, plus real node agents
// (@nuage/nodeagent, in-process) joined through TLS bootstrap, for workload tests driven by kubectl.
import { randomBytes } from "node:crypto";
import { issueCertificate } from "@nuage/crypto";
import { NodeAgent, type Timing } from "@nuage/nodeagent";
import type { ControllerOptions } from "../src/controllers/index.ts";
import { startTestCluster, type TestCluster } from "./cluster.ts";

export interface WorkloadCluster extends TestCluster {
  agents: Map<string, NodeAgent>;
  addNode(name: string, labels?: Record<string, string>): Promise<NodeAgent>;
  /** Stops a node agent abruptly (a VM powered off): its Lease stops being renewed. */
  stopNode(name: string): void;
  /** kubectl that must succeed. */
  k(args: string[], opts?: { stdin?: string; bin?: string }): Promise<string>;
}

let addrSeq = 0;

export async function startWorkloadCluster(opts: {
  nodes: number;
  controllerOptions?: Partial<ControllerOptions>;
  timing?: Partial<Timing>;
  namePrefix?: string;
}): Promise<WorkloadCluster> {
  const token = { id: randomBytes(3).toString("hex"), secret: randomBytes(8).toString("hex") };
  const base = await startTestCluster({
    controllers: true,
    bootstrapTokens: [token],
    controllerOptions: opts.controllerOptions,
  });
  const agents = new Map<string, NodeAgent>();
  const block = 10 + (process.pid % 200);
  async function addNode(name: string, labels: Record<string, string> = {}): Promise<NodeAgent> {
    const i = ++addrSeq;
    const address = `127.${block}.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    const cert = await issueCertificate({
      ca: base.ca,
      commonName: `system:node:${name}`,
      organizations: ["system:nodes"],
      dnsNames: [name, "localhost"],
      ipAddresses: [address],
      usage: "server",
      validityMs: 24 * 3600 * 1000,
    });
    const agent = new NodeAgent({
      nodeName: name,
      server: base.server,
      caCertPem: base.ca.certPem,
      bootstrapToken: `${token.id}.${token.secret}`,
      servingCertPem: cert.certPem,
      servingKeyPem: cert.keyPem,
      flavor: { name: "s-2", vcpus: 2, memoryMiB: 4096, diskGiB: 20 },
      region: "test-1",
      zone: "test-1a",
      kubeletVersion: "v1.33.1",
      podCIDR: `10.244.${i % 250}.0/24`,
      address,
      port: 0,
      labels,
      leaseRenewMs: 2000,
      statusUpdateMs: 5000,
      timing: { pullDelayMs: 50, ...(opts.timing ?? {}) },
    });
    await agent.start();
    agents.set(name, agent);
    return agent;
  }
  const prefix = opts.namePrefix ?? "wl";
  await Promise.all(Array.from({ length: opts.nodes }, (_, i) => addNode(`${prefix}-node-${i + 1}`)));
  return {
    ...base,
    agents,
    addNode,
    stopNode(name) {
      agents.get(name)?.stop();
      agents.delete(name);
    },
    async k(args, o = {}) {
      const r = await base.kubectl(args, o);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed (${r.code}): ${r.stderr.trim()}`);
      return r.stdout;
    },
    async stop() {
      for (const a of agents.values()) a.stop();
      await base.stop();
    },
  };
}

export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 30_000, intervalMs = 300): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await fn();
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw last instanceof Error ? last : new Error(String(last));
}
