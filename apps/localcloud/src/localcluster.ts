// A local Kubernetes cluster on localcloud (like kind or minikube): one hosted control plane and
// N VMs whose node agents join it; an admin kubeconfig is written to disk.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderKubeconfig } from "@nuage/crypto";
import { KubeClient } from "@nuage/nodeagent";
import {
  type ControlPlaneView,
  type CredentialsView,
  LocalcloudClient,
  LocalcloudError,
  type VmView,
} from "./api-client.ts";

export interface LocalClusterOptions {
  /** localcloud's URL and token. */
  localcloud: { url: string; token?: string };
  name?: string;
  nodes?: number;
  flavor?: string;
  version?: string;
  /** Where kubeconfigs go: <dir>/<name>/kubeconfig. */
  clustersDir: string;
  timeoutMs?: number;
}

export interface LocalCluster {
  name: string;
  endpoint: string;
  kubeconfigPath: string;
  kubeconfig: string;
  controlPlane: ControlPlaneView;
  vms: VmView[];
  /** An admin API client (client certificate of nuage-admin). */
  admin: KubeClient;
  stop(): Promise<void>;
}

interface NodeList {
  items: Array<{ metadata: { name: string }; status?: { conditions?: Array<{ type: string; status: string }> } }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitNodesReady(admin: KubeClient, names: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer from the API server";
  while (Date.now() < deadline) {
    try {
      const list = await admin.get<NodeList>("/api/v1/nodes");
      const ready = new Set(
        list.items
          .filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
          .map((n) => n.metadata.name),
      );
      const missing = names.filter((n) => !ready.has(n));
      if (missing.length === 0) return;
      last = `not Ready yet: ${missing.join(", ")}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(500);
  }
  throw new Error(`nodes were not Ready within ${Math.round(timeoutMs / 1000)}s (${last})`);
}

export async function startLocalCluster(opts: LocalClusterOptions): Promise<LocalCluster> {
  const api = new LocalcloudClient(opts.localcloud.url, opts.localcloud.token);
  const name = opts.name ?? "local";
  const nodes = opts.nodes ?? 3;
  const timeoutMs = opts.timeoutMs ?? 180_000;
  const cp = await api.request<ControlPlaneView>("PUT", `/v1/controlplanes/${name}`, {
    name,
    ...(opts.version ? { version: opts.version } : {}),
  });
  const vms: VmView[] = [];
  for (let i = 1; i <= nodes; i++) {
    const id = `${name}-node-${i}`;
    vms.push(
      await api.request<VmView>("PUT", `/v1/vms/${id}`, {
        name: id,
        flavor: opts.flavor ?? "s-2vcpu-4gb",
        controlPlaneId: name,
      }),
    );
  }
  const creds = await api.request<CredentialsView>("POST", `/v1/controlplanes/${name}/credentials`, {
    user: "nuage-admin",
    groups: ["system:masters"],
    ttlSeconds: 365 * 86_400,
  });
  const kubeconfig = renderKubeconfig({
    clusterName: name,
    server: cp.endpoint,
    caCertPem: cp.caCertPem,
    user: "nuage-admin",
    clientCertPem: creds.clientCertPem,
    clientKeyPem: creds.clientKeyPem,
  });
  const dir = join(opts.clustersDir, name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const kubeconfigPath = join(dir, "kubeconfig");
  writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });
  const admin = new KubeClient(cp.endpoint, {
    caCertPem: cp.caCertPem,
    clientCertPem: creds.clientCertPem,
    clientKeyPem: creds.clientKeyPem,
  });
  await waitNodesReady(
    admin,
    vms.map((v) => v.name),
    timeoutMs,
  );
  return {
    name,
    endpoint: cp.endpoint,
    kubeconfigPath,
    kubeconfig,
    controlPlane: cp,
    vms,
    admin,
    stop: async () => {
      await stopLocalCluster({ localcloud: opts.localcloud, name, clustersDir: opts.clustersDir, admin });
    },
  };
}

export async function stopLocalCluster(opts: {
  localcloud: { url: string; token?: string };
  name: string;
  clustersDir: string;
  admin?: KubeClient;
}): Promise<boolean> {
  opts.admin?.close();
  const api = new LocalcloudClient(opts.localcloud.url, opts.localcloud.token);
  let existed = true;
  try {
    await api.request("DELETE", `/v1/controlplanes/${opts.name}`);
  } catch (err) {
    if (!(err instanceof LocalcloudError && err.status === 404)) throw err;
    existed = false;
  }
  rmSync(join(opts.clustersDir, opts.name), { recursive: true, force: true });
  return existed;
}

export async function listLocalClusters(localcloud: { url: string; token?: string }) {
  const api = new LocalcloudClient(localcloud.url, localcloud.token);
  const cps = await api.request<{ items: ControlPlaneView[] }>("GET", "/v1/controlplanes");
  const vms = await api.request<{ items: VmView[] }>("GET", "/v1/vms");
  return cps.items.map((cp) => ({
    name: cp.id,
    version: cp.version,
    endpoint: cp.endpoint,
    status: cp.status,
    nodes: vms.items.filter((v) => v.controlPlaneId === cp.id).map((v) => ({ name: v.name, agent: v.nodeAgent.phase })),
  }));
}
