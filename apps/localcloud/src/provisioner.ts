// The cloud side of one cluster, run by localcloud against its API server: localcloud volumes
// behind the cluster's provisioned PersistentVolumes, and load balancers for LoadBalancer Services.
import { issueCertificate } from "@nuage/crypto";
import { KubeClient } from "@nuage/nodeagent";
import { type LoadBalancerBackend, watchLoadBalancerServices } from "./servicelb.ts";
import type { ControlPlaneRecord } from "./state.ts";

/** The provisioner name the cluster's PV binder (packages/controlplane) puts on the volumes it makes. */
export const CLUSTER_PROVISIONERS = new Set(["nuage.io/localcloud", "localcloud.nuage.dev/volume"]);

interface Pv {
  metadata: { name: string; annotations?: Record<string, string>; [k: string]: unknown };
  spec: { capacity?: { storage?: string }; csi?: { driver?: string; volumeHandle?: string } };
  [k: string]: unknown;
}

export interface VolumeBackend {
  createVolume(id: string, sizeGiB: number): void;
  deleteVolume(id: string): void;
  /** Ids of the volumes localcloud holds for this cluster. */
  listVolumes(): string[];
}

export function sizeGiB(q: string | undefined): number {
  const m = /^([0-9.]+)([A-Za-z]*)$/.exec(q ?? "1Gi");
  const n = Number.parseFloat(m?.[1] ?? "1");
  const unit = m?.[2] ?? "Gi";
  const bytes: Record<string, number> = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    K: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    "": 1,
  };
  return Math.max(1, Math.ceil((n * (bytes[unit] ?? 2 ** 30)) / 2 ** 30));
}

/**
 * Backs the cluster's dynamically provisioned PersistentVolumes with localcloud volumes: the PV
 * binder of the control plane (packages/controlplane) provisions and binds `pvc-<uid>` volumes of
 * the default StorageClass; for each such PV localcloud holds a volume of its size, deleted when
 * the PV is. (The binder owns binding: doing it here too would race it.)
 */
export class VolumeProvisioner {
  private watch: { stop(): void } | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly backend: VolumeBackend,
    private readonly log: (msg: string, fields?: Record<string, unknown>) => void,
  ) {}

  async start(): Promise<void> {
    const ours = (pv: Pv) =>
      CLUSTER_PROVISIONERS.has(pv.metadata.annotations?.["pv.kubernetes.io/provisioned-by"] ?? "") ||
      CLUSTER_PROVISIONERS.has(pv.spec.csi?.driver ?? "");
    const ensure = (pv: Pv) => {
      if (!ours(pv)) return;
      if (!this.backend.listVolumes().includes(pv.metadata.name)) {
        this.backend.createVolume(pv.metadata.name, sizeGiB(pv.spec.capacity?.storage));
        this.log("volume created for a persistent volume", { volume: pv.metadata.name });
      }
    };
    this.watch = this.client.listWatch<Pv>(
      "/api/v1/persistentvolumes",
      {},
      {
        onSync: (items) => {
          const live = new Set(items.filter(ours).map((pv) => pv.metadata.name));
          // Only volumes made for PVs (pvc-<uid>): others of the cluster were created through the API.
          for (const id of this.backend.listVolumes()) {
            if (id.startsWith("pvc-") && !live.has(id)) this.backend.deleteVolume(id);
          }
          for (const pv of items) ensure(pv);
        },
        onEvent: (e) => {
          if (e.type === "DELETED") {
            if (ours(e.object)) {
              this.backend.deleteVolume(e.object.metadata.name);
              this.log("volume deleted with its persistent volume", { volume: e.object.metadata.name });
            }
          } else ensure(e.object);
        },
      },
    );
  }

  stop(): void {
    this.watch?.stop();
    this.watch = undefined;
  }
}

/** Runs a cluster's volume provisioner and service load balancers once its API server answers, with an admin client certificate. */
export function startClusterProvisioner(
  cp: ControlPlaneRecord,
  waitReady: () => Promise<void>,
  backend: VolumeBackend,
  log: (msg: string, fields?: Record<string, unknown>) => void,
  lbBackend?: LoadBalancerBackend,
): { stop(): void } {
  let stopped = false;
  let provisioner: VolumeProvisioner | undefined;
  let lbs: { stop(): void } | undefined;
  let client: KubeClient | undefined;
  const attempt = async (tries: number): Promise<void> => {
    if (stopped) return;
    try {
      await waitReady();
      const cert = await issueCertificate({
        ca: { certPem: cp.caCertPem, keyPem: cp.caKeyPem },
        commonName: "system:localcloud:volume-provisioner",
        organizations: ["system:masters"],
        usage: "client",
        validityMs: 365 * 86_400_000,
      });
      if (stopped) return;
      client = new KubeClient(`https://127.0.0.1:${cp.port}`, {
        caCertPem: cp.caCertPem,
        clientCertPem: cert.certPem,
        clientKeyPem: cert.keyPem,
      });
      provisioner = new VolumeProvisioner(client, backend, log);
      await provisioner.start();
      if (lbBackend) lbs = watchLoadBalancerServices(client, lbBackend, log);
    } catch (err) {
      provisioner?.stop();
      client?.close();
      if (stopped) return;
      log("volume provisioner failed to start; retrying", { controlPlane: cp.id, error: (err as Error).message });
      setTimeout(() => void attempt(tries + 1), Math.min(1000 * 2 ** tries, 30_000)).unref();
    }
  };
  void attempt(0);
  return {
    stop() {
      stopped = true;
      lbs?.stop();
      provisioner?.stop();
      client?.close();
    },
  };
}
