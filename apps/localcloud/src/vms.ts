// VMs and the node agent each one runs (in this process: a VM is cheap here).
import { issueCertificate } from "@nuage/crypto";
import { type ClusterNetwork, NodeAgent } from "@nuage/nodeagent";
import type { Flavor } from "./catalog.ts";
import type { ControlPlaneRecord, VmRecord } from "./state.ts";

export type AgentPhase = "Stopped" | "Joining" | "Ready" | "Retrying";

interface AgentRuntime {
  agent?: NodeAgent;
  phase: AgentPhase;
  message?: string;
  timer?: NodeJS.Timeout;
  attempts: number;
  stopped: boolean;
}

export class AgentPool {
  private runtimes = new Map<string, AgentRuntime>();

  constructor(
    private readonly deps: {
      flavor: (name: string) => Flavor;
      controlPlane: (id: string) => ControlPlaneRecord | undefined;
      region: (zone: string) => string;
      waitControlPlane: (id: string) => Promise<void>;
      save: () => void;
      log: (msg: string, fields?: Record<string, unknown>) => void;
      /** The cluster's simulated data plane (NodePorts, pod connections, DNS). */
      network?: (controlPlaneId: string) => ClusterNetwork;
    },
  ) {}

  phase(vmId: string): { phase: AgentPhase; message?: string } {
    const rt = this.runtimes.get(vmId);
    return { phase: rt?.phase ?? "Stopped", message: rt?.message };
  }

  agent(vmId: string): NodeAgent | undefined {
    return this.runtimes.get(vmId)?.agent;
  }

  start(vm: VmRecord): void {
    if (!vm.controlPlaneId) return;
    const existing = this.runtimes.get(vm.id);
    if (existing && !existing.stopped) return;
    const rt: AgentRuntime = { phase: "Joining", attempts: 0, stopped: false };
    this.runtimes.set(vm.id, rt);
    void this.run(vm, rt);
  }

  private async run(vm: VmRecord, rt: AgentRuntime): Promise<void> {
    const cp = vm.controlPlaneId ? this.deps.controlPlane(vm.controlPlaneId) : undefined;
    if (!cp || rt.stopped) return;
    rt.phase = rt.attempts > 0 ? "Retrying" : "Joining";
    try {
      await this.deps.waitControlPlane(cp.id);
      if (!vm.serving) {
        const cert = await issueCertificate({
          ca: { certPem: cp.caCertPem, keyPem: cp.caKeyPem },
          commonName: `system:node:${vm.name}`,
          organizations: ["system:nodes"],
          dnsNames: [vm.name, "localhost"],
          ipAddresses: [vm.address],
          usage: "server",
          validityMs: 3650 * 86_400_000,
        });
        vm.serving = { certPem: cert.certPem, keyPem: cert.keyPem };
        this.deps.save();
      }
      if (rt.stopped) return;
      const agent = new NodeAgent({
        nodeName: vm.name,
        server: `https://127.0.0.1:${cp.port}`,
        caCertPem: cp.caCertPem,
        bootstrapToken: `${cp.bootstrapToken.id}.${cp.bootstrapToken.secret}`,
        credentials: vm.nodeCredentials,
        onCredentials: (c) => {
          vm.nodeCredentials = c;
          this.deps.save();
        },
        servingCertPem: vm.serving.certPem,
        servingKeyPem: vm.serving.keyPem,
        flavor: this.deps.flavor(vm.flavor),
        region: this.deps.region(vm.zone),
        zone: vm.zone,
        kubeletVersion: cp.version,
        podCIDR: vm.podCIDR,
        address: vm.address,
        port: rt.attempts > 0 ? 0 : 10250,
        labels: vm.labels,
        providerID: `localcloud://${vm.id}`,
        log: this.deps.log,
        network: this.deps.network?.(cp.id),
      });
      rt.agent = agent;
      await agent.start();
      if (rt.stopped) {
        agent.stop();
        return;
      }
      rt.phase = "Ready";
      rt.message = undefined;
      rt.attempts = 0;
    } catch (err) {
      rt.agent = undefined;
      if (rt.stopped) return;
      rt.attempts++;
      rt.phase = "Retrying";
      rt.message = (err as Error).message;
      const delay = Math.min(1000 * 2 ** Math.min(rt.attempts - 1, 5), 30_000);
      this.deps.log("node agent failed to join; retrying", { vm: vm.id, error: rt.message, delayMs: delay });
      rt.timer = setTimeout(() => void this.run(vm, rt), delay);
    }
  }

  async stop(vmId: string, graceful = true): Promise<void> {
    const rt = this.runtimes.get(vmId);
    if (!rt) return;
    rt.stopped = true;
    if (rt.timer) clearTimeout(rt.timer);
    this.runtimes.delete(vmId);
    if (rt.agent) {
      if (graceful) await rt.agent.shutdown();
      else rt.agent.stop();
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.runtimes.keys()].map((id) => this.stop(id, false)));
  }
}
