// Services of type LoadBalancer get a localcloud load balancer (what a cloud-controller-manager
// does): the balancer is recorded with the service's ports and its address is published in the
// service's status.loadBalancer.ingress; deleting the service (or changing its type) removes it.
// The same watch feeds the cluster's simulated network (kube-proxy's job): Services and their
// Endpoints, so NodePorts, ClusterIPs and cluster DNS route (traffic/plane.ts, nodeagent net/).
import { type ClusterNetwork, KubeApiError, type KubeClient, type KubeObj, type NetEndpoints } from "@nuage/nodeagent";
import type { LoadBalancerRecord } from "./state.ts";

interface Service {
  metadata: { name: string; namespace?: string; uid?: string; [k: string]: unknown };
  spec: {
    type?: string;
    ports?: Array<{ port: number; targetPort?: number | string; nodePort?: number; protocol?: string }>;
  };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } };
  [k: string]: unknown;
}

export interface LoadBalancerBackend {
  create(id: string, name: string, ports: LoadBalancerRecord["ports"]): LoadBalancerRecord;
  delete(id: string): void;
  list(): LoadBalancerRecord[];
  /** The service's ports changed (new node ports): forward the new ones. */
  update?(id: string, ports: LoadBalancerRecord["ports"]): void;
  /** The cluster's simulated network, fed with the Services and Endpoints seen here. */
  network?: ClusterNetwork;
  /** More watchers on the same client (the Ingress controller). */
  extra?: (client: KubeClient) => { stop(): void };
}

export function watchLoadBalancerServices(
  client: KubeClient,
  backend: LoadBalancerBackend,
  log: (msg: string, fields?: Record<string, unknown>) => void,
): { stop(): void } {
  const idOf = (s: Service) => `svc-${s.metadata.uid}`;
  const reconcile = async (svc: Service) => {
    const id = idOf(svc);
    if (svc.spec.type !== "LoadBalancer") {
      if (backend.list().some((lb) => lb.id === id)) backend.delete(id);
      return;
    }
    const ports = (svc.spec.ports ?? []).map((p) => ({
      port: p.port,
      targetPort: p.nodePort ?? (typeof p.targetPort === "number" ? p.targetPort : p.port),
      protocol: p.protocol ?? "TCP",
    }));
    const lb = backend.create(id, `${svc.metadata.namespace}/${svc.metadata.name}`, ports);
    if (JSON.stringify(lb.ports) !== JSON.stringify(ports)) backend.update?.(id, ports);
    if (svc.status?.loadBalancer?.ingress?.[0]?.ip === lb.address) return;
    try {
      await client.mergePatch(`/api/v1/namespaces/${svc.metadata.namespace}/services/${svc.metadata.name}/status`, {
        status: { loadBalancer: { ingress: [{ ip: lb.address, ipMode: "VIP" }] } },
      });
      log("load balancer ready", { service: `${svc.metadata.namespace}/${svc.metadata.name}`, address: lb.address });
    } catch (err) {
      if (!(err instanceof KubeApiError && err.code === 404)) {
        log("load balancer status update failed", { error: (err as Error).message });
      }
    }
  };
  const watch = client.listWatch<Service>(
    "/api/v1/services",
    {},
    {
      onSync: (items) => {
        const live = new Set(items.map(idOf));
        for (const lb of backend.list()) if (lb.id.startsWith("svc-") && !live.has(lb.id)) backend.delete(lb.id);
        backend.network?.replaceServices(items);
        for (const s of items) void reconcile(s);
      },
      onEvent: (e) => {
        if (e.type === "DELETED") {
          backend.delete(idOf(e.object));
          backend.network?.deleteService(e.object.metadata.namespace, e.object.metadata.name);
        } else {
          backend.network?.setService(e.object);
          void reconcile(e.object);
        }
      },
    },
  );
  const net = backend.network;
  const endpoints = net
    ? client.listWatch<NetEndpoints & KubeObj>(
        "/api/v1/endpoints",
        {},
        {
          onSync: (items) => net.replaceEndpoints(items),
          onEvent: (e) => {
            if (e.type === "DELETED") net.deleteEndpoints(e.object.metadata.namespace, e.object.metadata.name);
            else net.setEndpoints(e.object);
          },
        },
      )
    : undefined;
  const extra = backend.extra?.(client);
  return {
    stop: () => {
      watch.stop();
      endpoints?.stop();
      extra?.stop();
    },
  };
}
