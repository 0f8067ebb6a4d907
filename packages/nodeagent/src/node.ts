// The Node object of this agent and its heartbeats (status and Lease in kube-node-lease).
import { KubeApiError, type KubeClient } from "./kubeclient.ts";

export interface Flavor {
  name: string;
  vcpus: number;
  memoryMiB: number;
  diskGiB: number;
}

export interface NodeIdentity {
  nodeName: string;
  flavor: Flavor;
  region: string;
  zone: string;
  kubeletVersion: string;
  podCIDR: string;
  address: string;
  port: number;
  labels?: Record<string, string>;
  providerID?: string;
}

const ts = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

export function nodeCapacity(f: Flavor): Record<string, string> {
  return {
    cpu: String(f.vcpus),
    memory: `${f.memoryMiB * 1024}Ki`,
    pods: "110",
    "ephemeral-storage": `${f.diskGiB * 1024 * 1024}Ki`,
    "hugepages-2Mi": "0",
  };
}

export function nodeAllocatable(f: Flavor): Record<string, string> {
  // Reserved for the system and the kubelet, like managed offerings do.
  const cpuMilli = Math.max(f.vcpus * 1000 - 100, 100);
  const memKi = Math.max(f.memoryMiB * 1024 - 256 * 1024, 64 * 1024);
  return {
    cpu: `${cpuMilli}m`,
    memory: `${memKi}Ki`,
    pods: "110",
    "ephemeral-storage": `${Math.floor(f.diskGiB * 1024 * 1024 * 0.9)}Ki`,
    "hugepages-2Mi": "0",
  };
}

export function nodeObject(id: NodeIdentity): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: id.nodeName,
      labels: {
        "kubernetes.io/hostname": id.nodeName,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "beta.kubernetes.io/arch": "amd64",
        "node.kubernetes.io/instance-type": id.flavor.name,
        "topology.kubernetes.io/region": id.region,
        "topology.kubernetes.io/zone": id.zone,
        ...(id.labels ?? {}),
      },
      annotations: {
        "node.alpha.kubernetes.io/ttl": "0",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
      },
    },
    spec: { podCIDR: id.podCIDR, podCIDRs: [id.podCIDR], ...(id.providerID ? { providerID: id.providerID } : {}) },
  };
}

export function nodeStatus(id: NodeIdentity, ready: boolean, since: Map<string, string>): Record<string, unknown> {
  const now = ts();
  const cond = (type: string, status: string, reason: string, message: string) => {
    const key = `${type}=${status}`;
    if (!since.has(key)) {
      for (const k of [...since.keys()]) if (k.startsWith(`${type}=`)) since.delete(k);
      since.set(key, now);
    }
    return { type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: since.get(key) };
  };
  return {
    capacity: nodeCapacity(id.flavor),
    allocatable: nodeAllocatable(id.flavor),
    conditions: [
      cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
      cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
      cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
      ready
        ? cond("Ready", "True", "KubeletReady", "kubelet is posting ready status")
        : cond("Ready", "False", "KubeletNotReady", "kubelet is stopping: the VM is shutting down"),
    ],
    addresses: [
      { type: "InternalIP", address: id.address },
      { type: "Hostname", address: id.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: id.port } },
    nodeInfo: {
      machineID: hash(`${id.nodeName}-machine`),
      systemUUID: hash(`${id.nodeName}-system`),
      bootID: hash(`${id.nodeName}-${process.pid}`),
      kernelVersion: "6.1.0-28-cloud-amd64",
      osImage: "Debian GNU/Linux 12 (bookworm)",
      containerRuntimeVersion: "containerd://1.7.24",
      kubeletVersion: id.kubeletVersion,
      kubeProxyVersion: id.kubeletVersion,
      operatingSystem: "linux",
      architecture: "amd64",
    },
  };
}

function hash(s: string): string {
  let h = 0x811c9dc5;
  for (const ch of s) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0").repeat(4);
}

/** Creates the Node, or adopts an existing one with the same name (agent restart). */
export async function registerNode(client: KubeClient, id: NodeIdentity): Promise<void> {
  try {
    await client.create("/api/v1/nodes", nodeObject(id));
  } catch (err) {
    if (!(err instanceof KubeApiError && err.code === 409)) throw err;
  }
}

export async function postNodeStatus(
  client: KubeClient,
  id: NodeIdentity,
  ready: boolean,
  since: Map<string, string>,
): Promise<void> {
  await client.mergePatch(`/api/v1/nodes/${id.nodeName}/status`, { status: nodeStatus(id, ready, since) });
}

interface Lease {
  metadata: { name: string; resourceVersion?: string; [k: string]: unknown };
  spec: Record<string, unknown>;
}

/** Renews this node's Lease (creating it first if needed). */
export async function renewLease(client: KubeClient, nodeName: string, durationSeconds: number): Promise<void> {
  const base = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";
  const renewTime = new Date()
    .toISOString()
    .replace("Z", "000Z")
    .replace(/(\.\d{6})\d*Z$/, "$1Z");
  let lease: Lease | undefined;
  try {
    lease = await client.get<Lease>(`${base}/${nodeName}`);
  } catch (err) {
    if (!(err instanceof KubeApiError && err.code === 404)) throw err;
  }
  if (!lease) {
    await client.create(base, {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: {
        name: nodeName,
        namespace: "kube-node-lease",
      },
      spec: { holderIdentity: nodeName, leaseDurationSeconds: durationSeconds, renewTime },
    });
    return;
  }
  lease.spec = { ...lease.spec, holderIdentity: nodeName, leaseDurationSeconds: durationSeconds, renewTime };
  await client.update(`${base}/${nodeName}`, lease);
}
