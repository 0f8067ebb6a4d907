// The simulated data plane of one cluster (what kube-proxy, the CNI and CoreDNS do on a real
// one). Node agents attach their pods; whoever watches the cluster's Services and Endpoints (in
// localcloud: traffic/proxy.ts) feeds the service table. Then:
// - NodePort: every attached node listens on <its InternalIP>:<nodePort> (a real socket on its
//   loopback address) and hands each connection to a ready endpoint, round-robin;
// - in-cluster clients (a busybox `wget` in a simulated container, the Ingress controller) dial
//   a Service name, a ClusterIP or a pod IP and get a byte stream to a ready endpoint;
// - DNS: <svc>.<ns>.svc.cluster.local (and the short forms) resolve to the ClusterIP, an
//   ExternalName Service to its CNAME.
import http from "node:http";
import net from "node:net";
import { type Duplex, duplexPair } from "node:stream";
import { acceptConnection, type ServingPod } from "./podserver.ts";

export interface NetService {
  metadata: { name: string; namespace?: string; uid?: string };
  spec?: {
    type?: string;
    clusterIP?: string;
    externalName?: string;
    selector?: Record<string, string>;
    ports?: Array<{ name?: string; port: number; nodePort?: number; protocol?: string; targetPort?: number | string }>;
    sessionAffinity?: string;
  };
}

export interface NetEndpoints {
  metadata: { name: string; namespace?: string };
  subsets?: Array<{
    addresses?: Array<{ ip: string; hostname?: string; nodeName?: string; targetRef?: { name?: string } }>;
    ports?: Array<{ name?: string; port: number; protocol?: string }>;
  }>;
}

export interface NetPod extends ServingPod {
  readonly ip: string | undefined;
}

interface NodeEntry {
  address: string;
  pods: () => Iterable<NetPod>;
  listeners: Map<number, net.Server>;
  /** Open NodePort connections: dropped with the node (a stopped VM). */
  sockets: Set<net.Socket>;
}

export type Resolution = { ip: string } | { cname: string } | undefined;

export const CLUSTER_DOMAIN = "cluster.local";

const key = (ns: string | undefined, name: string) => `${ns ?? "default"}/${name}`;

export class ClusterNetwork {
  private nodes = new Map<string, NodeEntry>();
  private services = new Map<string, NetService>();
  private endpoints = new Map<string, NetEndpoints>();
  private rr = new Map<string, number>();
  private closed = false;

  constructor(private readonly log: (msg: string, fields?: Record<string, unknown>) => void = () => undefined) {}

  // ---- the service table (fed by a watcher) ---------------------------------------------------
  setService(svc: NetService): void {
    this.services.set(key(svc.metadata.namespace, svc.metadata.name), svc);
    this.syncListeners();
  }
  deleteService(ns: string | undefined, name: string): void {
    this.services.delete(key(ns, name));
    this.syncListeners();
  }
  replaceServices(items: NetService[]): void {
    this.services = new Map(items.map((s) => [key(s.metadata.namespace, s.metadata.name), s]));
    this.syncListeners();
  }
  setEndpoints(ep: NetEndpoints): void {
    this.endpoints.set(key(ep.metadata.namespace, ep.metadata.name), ep);
  }
  deleteEndpoints(ns: string | undefined, name: string): void {
    this.endpoints.delete(key(ns, name));
  }
  replaceEndpoints(items: NetEndpoints[]): void {
    this.endpoints = new Map(items.map((e) => [key(e.metadata.namespace, e.metadata.name), e]));
  }

  service(ns: string, name: string): NetService | undefined {
    return this.services.get(key(ns, name));
  }

  // ---- nodes ----------------------------------------------------------------------------------
  attachNode(address: string, pods: () => Iterable<NetPod>): void {
    this.detachNode(address);
    this.nodes.set(address, { address, pods, listeners: new Map(), sockets: new Set() });
    this.syncListeners();
  }

  detachNode(address: string): void {
    const n = this.nodes.get(address);
    if (!n) return;
    for (const s of n.listeners.values()) s.close();
    for (const s of n.sockets) s.destroy();
    this.nodes.delete(address);
  }

  /** Node addresses with their NodePort listeners up (for load balancers). */
  nodeAddresses(): string[] {
    return [...this.nodes.keys()];
  }

  private nodePorts(): Map<
    number,
    { svc: NetService; port: NonNullable<NonNullable<NetService["spec"]>["ports"]>[number] }
  > {
    const out = new Map();
    for (const svc of this.services.values()) {
      if (svc.spec?.type !== "NodePort" && svc.spec?.type !== "LoadBalancer") continue;
      for (const p of svc.spec.ports ?? []) {
        if (p.nodePort && (p.protocol ?? "TCP") === "TCP") out.set(p.nodePort, { svc, port: p });
      }
    }
    return out;
  }

  private syncListeners(): void {
    if (this.closed) return;
    const wanted = this.nodePorts();
    for (const n of this.nodes.values()) {
      for (const [port, s] of n.listeners) {
        if (!wanted.has(port)) {
          s.close();
          n.listeners.delete(port);
        }
      }
      for (const port of wanted.keys()) {
        if (n.listeners.has(port)) continue;
        const s = net.createServer((socket) => {
          n.sockets.add(socket);
          socket.on("close", () => n.sockets.delete(socket));
          this.onNodePort(port, socket);
        });
        s.on("error", (err) => this.log("node port listen failed", { address: n.address, port, error: err.message }));
        s.listen(port, n.address);
        n.listeners.set(port, s);
      }
    }
  }

  private onNodePort(nodePort: number, socket: net.Socket): void {
    socket.on("error", () => undefined);
    const entry = this.nodePorts().get(nodePort);
    const ep = entry && this.pick(entry.svc, entry.port, socket.remoteAddress);
    if (!ep) {
      socket.destroy();
      return;
    }
    this.connectPod(ep.ip, ep.port, socket, socket.remoteAddress ?? "127.0.0.1");
  }

  // ---- endpoints ------------------------------------------------------------------------------
  /** The next ready endpoint of a service port, round-robin (readiness gates membership). */
  pick(
    svc: NetService,
    sp: NonNullable<NonNullable<NetService["spec"]>["ports"]>[number],
    clientIP?: string,
  ): { ip: string; port: number } | undefined {
    const ns = svc.metadata.namespace ?? "default";
    const ep = this.endpoints.get(key(ns, svc.metadata.name));
    const all: { ip: string; port: number }[] = [];
    for (const subset of ep?.subsets ?? []) {
      const port =
        subset.ports?.find((p) => (p.name ?? "") === (sp.name ?? "")) ??
        (subset.ports?.length === 1 ? subset.ports[0] : undefined);
      if (!port) continue;
      for (const a of subset.addresses ?? []) all.push({ ip: a.ip, port: port.port });
    }
    if (all.length === 0) return undefined;
    if (svc.spec?.sessionAffinity === "ClientIP" && clientIP) {
      // The same client keeps its endpoint (while the endpoints stay the same).
      let h = 0;
      for (const ch of clientIP) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
      return all.sort((a, b) => a.ip.localeCompare(b.ip))[h % all.length];
    }
    const k = `${ns}/${svc.metadata.name}/${sp.name ?? sp.port}`;
    const i = this.rr.get(k) ?? 0;
    this.rr.set(k, i + 1);
    return all[i % all.length];
  }

  findPod(ip: string): NetPod | undefined {
    for (const n of this.nodes.values()) {
      for (const p of n.pods()) if (p.ip === ip) return p;
    }
    return undefined;
  }

  /** Hands a connection to the pod with this IP; false (socket destroyed) when refused. */
  connectPod(ip: string, port: number, socket: Duplex, clientIP: string): boolean {
    const pod = this.findPod(ip);
    if (!pod) {
      socket.destroy();
      return false;
    }
    return acceptConnection(pod, port, socket, clientIP);
  }

  // ---- DNS and in-cluster clients ---------------------------------------------------------------
  /** Resolves a name as a pod in `namespace` would (search path <ns>.svc.cluster.local, svc.cluster.local, cluster.local). */
  resolve(host: string, namespace: string): Resolution {
    const h = host.replace(/\.$/, "").toLowerCase();
    if (net.isIP(h)) return { ip: h };
    const suffix = `.svc.${CLUSTER_DOMAIN}`;
    let candidates: string[];
    if (h.endsWith(suffix)) candidates = [h.slice(0, -suffix.length)];
    else if (h.endsWith(".svc")) candidates = [h.slice(0, -4)];
    else candidates = [`${h}.${namespace}`, h];
    for (const c of candidates) {
      const parts = c.split(".");
      if (parts.length === 3) {
        // <hostname>.<svc>.<ns>: a pod of a headless Service (StatefulSet pods: web-0.nginx.default).
        const ep = this.endpoints.get(key(parts[2], parts[1] as string));
        for (const subset of ep?.subsets ?? []) {
          const a = subset.addresses?.find((x) => x.hostname === parts[0]);
          if (a) return { ip: a.ip };
        }
        continue;
      }
      if (parts.length !== 2) continue;
      const svc = this.services.get(key(parts[1], parts[0] as string));
      if (!svc) continue;
      if (svc.spec?.type === "ExternalName" && svc.spec.externalName) return { cname: svc.spec.externalName };
      if (svc.spec?.clusterIP && svc.spec.clusterIP !== "None") return { ip: svc.spec.clusterIP };
      // Headless: the ready pods' addresses.
      const ep = this.endpoints.get(key(parts[1], parts[0] as string));
      const ip = ep?.subsets?.[0]?.addresses?.[0]?.ip;
      if (ip) return { ip };
    }
    return undefined;
  }

  /** A byte stream from a client in the cluster to ip:port (a ClusterIP, a pod IP), or undefined (refused). */
  dial(ip: string, port: number, clientIP: string): Duplex | undefined {
    let target: { ip: string; port: number } | undefined = { ip, port };
    for (const svc of this.services.values()) {
      if (svc.spec?.clusterIP !== ip) continue;
      const sp = svc.spec.ports?.find((p) => p.port === port);
      target = sp ? this.pick(svc, sp, clientIP) : undefined;
      break;
    }
    if (!target) return undefined;
    const pod = this.findPod(target.ip);
    if (!pod) return undefined;
    const [client, server] = duplexPair();
    socketLike(client);
    socketLike(server);
    if (!acceptConnection(pod, target.port, server, clientIP)) return undefined;
    return client;
  }

  /**
   * An HTTP GET from inside the cluster (busybox `wget -qO-`, `curl`): resolves the host, follows
   * an ExternalName CNAME once, and answers what the serving pod answered.
   */
  async fetch(
    url: string,
    from: { namespace: string; clientIP: string },
    timeoutMs = 5000,
  ): Promise<{ status: number; body: string } | { error: string }> {
    let u: URL;
    try {
      u = new URL(/^[a-z]+:\/\//i.test(url) ? url : `http://${url}`);
    } catch {
      return { error: `bad address '${url}'` };
    }
    let r = this.resolve(u.hostname, from.namespace);
    if (r && "cname" in r) r = this.resolve(r.cname, from.namespace);
    if (!r || !("ip" in r)) return { error: `bad address '${u.hostname}'` };
    const port = Number(u.port || (u.protocol === "https:" ? 443 : 80));
    const conn = this.dial(r.ip, port, from.clientIP);
    if (!conn) return { error: `can't connect to remote host (${r.ip}): Connection refused` };
    return new Promise((resolve) => {
      const req = http.request(
        {
          method: "GET",
          host: u.hostname,
          port,
          path: `${u.pathname}${u.search}`,
          headers: { "User-Agent": "Wget", Connection: "close" },
          createConnection: () => conn as unknown as net.Socket,
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", (e) => resolve({ error: e.message }));
        },
      );
      req.on("timeout", () => req.destroy(new Error("download timed out")));
      req.on("error", (e) => resolve({ error: e.message }));
      req.end();
    });
  }

  close(): void {
    this.closed = true;
    for (const a of [...this.nodes.keys()]) this.detachNode(a);
  }
}

/**
 * An in-memory stream used where Node's http client or server expects a net.Socket: they call
 * setTimeout/setNoDelay/setKeepAlive (keep-alive handling), which mean nothing here.
 */
function socketLike(d: Duplex): void {
  const self = d as Duplex & Record<string, unknown>;
  for (const m of ["setTimeout", "setNoDelay", "setKeepAlive", "ref", "unref"]) {
    if (typeof self[m] !== "function") self[m] = () => d;
  }
  self.remoteAddress ??= "127.0.0.1";
}
