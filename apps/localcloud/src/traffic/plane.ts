// localcloud's data plane: one simulated cluster network per control plane (the node agents of
// its VMs attach to it; their NodePorts listen on the VMs' loopback addresses) and the load
// balancers, each a real listener on its own loopback address that forwards every connection
// to the NodePort of one of the cluster's nodes, round-robin (a cloud LB with externalTrafficPolicy
// Cluster), skipping nodes that refuse (a stopped VM).
import net from "node:net";
import { ClusterNetwork } from "@nuage/nodeagent";
import type { LoadBalancerRecord } from "../state.ts";

interface RunningLb {
  key: string;
  servers: net.Server[];
  sockets: Set<net.Socket>;
}

const lbKey = (lb: LoadBalancerRecord) =>
  `${lb.address}|${lb.ports.map((p) => `${p.port}:${p.targetPort}/${p.protocol}`).join(",")}`;

export class TrafficPlane {
  private networks = new Map<string, ClusterNetwork>();
  private lbs = new Map<string, RunningLb>();
  private rr = new Map<string, number>();

  constructor(private readonly log: (msg: string, fields?: Record<string, unknown>) => void) {}

  network(controlPlaneId: string): ClusterNetwork {
    let n = this.networks.get(controlPlaneId);
    if (!n) {
      n = new ClusterNetwork(this.log);
      this.networks.set(controlPlaneId, n);
    }
    return n;
  }

  dropNetwork(controlPlaneId: string): void {
    this.networks.get(controlPlaneId)?.close();
    this.networks.delete(controlPlaneId);
  }

  /** Makes the running listeners match the load balancer records (those of a cluster only). */
  syncLoadBalancers(records: LoadBalancerRecord[]): void {
    const wanted = new Map(records.filter((r) => r.controlPlaneId).map((r) => [r.id, r]));
    for (const [id, run] of this.lbs) {
      const rec = wanted.get(id);
      if (!rec || lbKey(rec) !== run.key) this.stopLb(id);
    }
    for (const [id, rec] of wanted) if (!this.lbs.has(id)) this.startLb(rec);
  }

  private stopLb(id: string): void {
    const run = this.lbs.get(id);
    if (!run) return;
    for (const s of run.servers) s.close();
    for (const s of run.sockets) s.destroy();
    this.lbs.delete(id);
  }

  private startLb(lb: LoadBalancerRecord): void {
    const run: RunningLb = { key: lbKey(lb), servers: [], sockets: new Set() };
    this.lbs.set(lb.id, run);
    for (const p of lb.ports) {
      if (p.protocol !== "TCP") continue;
      const server = net.createServer((client) => this.forward(lb, p.targetPort, client, run));
      server.on("error", (err) =>
        this.log("load balancer listen failed", { id: lb.id, address: lb.address, port: p.port, error: err.message }),
      );
      server.listen(p.port, lb.address);
      run.servers.push(server);
    }
  }

  private forward(lb: LoadBalancerRecord, nodePort: number, client: net.Socket, run: RunningLb): void {
    run.sockets.add(client);
    client.on("close", () => run.sockets.delete(client));
    client.on("error", () => undefined);
    client.pause();
    const nodes = lb.controlPlaneId ? this.network(lb.controlPlaneId).nodeAddresses() : [];
    const start = this.rr.get(lb.id) ?? 0;
    this.rr.set(lb.id, start + 1);
    const attempt = (i: number) => {
      if (i >= nodes.length) {
        client.destroy();
        return;
      }
      const node = nodes[(start + i) % nodes.length] as string;
      const upstream = net.connect({ host: node, port: nodePort });
      let connected = false;
      upstream.once("connect", () => {
        connected = true;
        run.sockets.add(upstream);
        upstream.on("close", () => run.sockets.delete(upstream));
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
      });
      upstream.on("error", () => {
        if (!connected) attempt(i + 1);
        else client.destroy();
      });
    };
    attempt(0);
  }

  close(): void {
    for (const id of [...this.lbs.keys()]) this.stopLb(id);
    for (const id of [...this.networks.keys()]) this.dropNetwork(id);
  }
}
