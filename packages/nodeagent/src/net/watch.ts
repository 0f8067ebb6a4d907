// Feeds a ClusterNetwork from the cluster's Services and Endpoints (what localcloud's servicelb.ts
// does alongside its load balancers). For harnesses that run node agents without localcloud:
//   const network = new ClusterNetwork(); const feed = feedNetwork(adminClient, network);
//   new NodeAgent({ …, network })
import type { KubeClient, KubeObj } from "../kubeclient.ts";
import type { ClusterNetwork, NetEndpoints, NetService } from "./network.ts";

export function feedNetwork(client: KubeClient, network: ClusterNetwork): { stop(): void } {
  const services = client.listWatch<NetService & KubeObj>(
    "/api/v1/services",
    {},
    {
      onSync: (items) => network.replaceServices(items),
      onEvent: (e) => {
        if (e.type === "DELETED") network.deleteService(e.object.metadata.namespace, e.object.metadata.name);
        else network.setService(e.object);
      },
    },
  );
  const endpoints = client.listWatch<NetEndpoints & KubeObj>(
    "/api/v1/endpoints",
    {},
    {
      onSync: (items) => network.replaceEndpoints(items),
      onEvent: (e) => {
        if (e.type === "DELETED") network.deleteEndpoints(e.object.metadata.namespace, e.object.metadata.name);
        else network.setEndpoints(e.object);
      },
    },
  );
  return {
    stop() {
      services.stop();
      endpoints.stop();
    },
  };
}
