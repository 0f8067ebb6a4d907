// The storage side of localcloud for one cluster (what a CSI driver plus the PV controller do):
// a default StorageClass, and for every pending claim of it a localcloud volume, a
// PersistentVolume backed by it, and the claim bound to that volume.
import { issueCertificate } from "@nuage/crypto";
import { KubeApiError, KubeClient } from "@nuage/nodeagent";
import { type LoadBalancerBackend, watchLoadBalancerServices } from "./servicelb.ts";
import type { ControlPlaneRecord } from "./state.ts";

export const PROVISIONER = "localcloud.nuage.dev/volume";
export const DEFAULT_CLASS = "standard";

interface Pvc {
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    deletionTimestamp?: string;
    [k: string]: unknown;
  };
  spec: {
    storageClassName?: string | null;
    volumeName?: string;
    accessModes?: string[];
    resources?: { requests?: { storage?: string } };
    volumeMode?: string;
  };
  status?: { phase?: string };
  [k: string]: unknown;
}

interface Pv {
  metadata: { name: string; [k: string]: unknown };
  spec: {
    claimRef?: { uid?: string; namespace?: string; name?: string };
    persistentVolumeReclaimPolicy?: string;
    csi?: { volumeHandle?: string };
  };
  status?: { phase?: string };
  [k: string]: unknown;
}

export interface VolumeBackend {
  createVolume(id: string, sizeGiB: number): void;
  deleteVolume(id: string): void;
}

function sizeGiB(q: string | undefined): number {
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

export class VolumeProvisioner {
  private watches: Array<{ stop(): void }> = [];
  private inflight = new Set<string>();
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly backend: VolumeBackend,
    private readonly log: (msg: string, fields?: Record<string, unknown>) => void,
  ) {}

  async start(): Promise<void> {
    await this.ensureStorageClass();
    this.watches.push(
      this.client.listWatch<Pvc>(
        "/api/v1/persistentvolumeclaims",
        {},
        {
          onSync: (items) => {
            for (const p of items) void this.reconcileClaim(p);
          },
          onEvent: (e) => {
            if (e.type !== "DELETED") void this.reconcileClaim(e.object);
            else if (e.object.spec.volumeName) void this.releaseVolume(e.object.spec.volumeName);
          },
        },
      ),
      this.client.listWatch<Pv>(
        "/api/v1/persistentvolumes",
        {},
        {
          onSync: (items) => {
            for (const pv of items) void this.reconcileVolume(pv);
          },
          onEvent: (e) => {
            if (e.type !== "DELETED") void this.reconcileVolume(e.object);
          },
        },
      ),
    );
  }

  stop(): void {
    for (const w of this.watches) w.stop();
    this.watches = [];
    if (this.retry) clearTimeout(this.retry);
  }

  private async ensureStorageClass(): Promise<void> {
    try {
      await this.client.create("/apis/storage.k8s.io/v1/storageclasses", {
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: { name: DEFAULT_CLASS, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
        provisioner: PROVISIONER,
        reclaimPolicy: "Delete",
        volumeBindingMode: "Immediate",
        allowVolumeExpansion: true,
      });
    } catch (err) {
      if (!(err instanceof KubeApiError && err.code === 409)) throw err;
    }
  }

  private async reconcileClaim(pvc: Pvc): Promise<void> {
    const cls = pvc.spec.storageClassName ?? DEFAULT_CLASS;
    if (cls !== DEFAULT_CLASS || pvc.metadata.deletionTimestamp || pvc.status?.phase === "Bound") return;
    const uid = pvc.metadata.uid ?? "";
    if (this.inflight.has(uid)) return;
    this.inflight.add(uid);
    const ns = pvc.metadata.namespace ?? "default";
    const pvName = pvc.spec.volumeName || `pvc-${uid}`;
    try {
      const capacity = pvc.spec.resources?.requests?.storage ?? "1Gi";
      this.backend.createVolume(pvName, sizeGiB(capacity));
      try {
        await this.client.create("/api/v1/persistentvolumes", {
          apiVersion: "v1",
          kind: "PersistentVolume",
          metadata: {
            name: pvName,
            annotations: { "pv.kubernetes.io/provisioned-by": PROVISIONER },
          },
          spec: {
            capacity: { storage: capacity },
            accessModes: pvc.spec.accessModes ?? ["ReadWriteOnce"],
            persistentVolumeReclaimPolicy: "Delete",
            storageClassName: DEFAULT_CLASS,
            volumeMode: pvc.spec.volumeMode ?? "Filesystem",
            claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: ns, name: pvc.metadata.name, uid },
            csi: { driver: PROVISIONER, volumeHandle: pvName, fsType: "ext4" },
          },
        });
      } catch (err) {
        if (!(err instanceof KubeApiError && err.code === 409)) throw err;
      }
      await this.client.mergePatch(`/api/v1/persistentvolumes/${pvName}/status`, { status: { phase: "Bound" } });
      const claimPath = `/api/v1/namespaces/${ns}/persistentvolumeclaims/${pvc.metadata.name}`;
      if (!pvc.spec.volumeName) {
        await this.client.mergePatch(claimPath, {
          metadata: {
            annotations: {
              "pv.kubernetes.io/bind-completed": "yes",
              "pv.kubernetes.io/bound-by-controller": "yes",
              "volume.kubernetes.io/storage-provisioner": PROVISIONER,
            },
          },
          spec: { volumeName: pvName, storageClassName: DEFAULT_CLASS },
        });
      }
      await this.client.mergePatch(`${claimPath}/status`, {
        status: {
          phase: "Bound",
          accessModes: pvc.spec.accessModes ?? ["ReadWriteOnce"],
          capacity: { storage: capacity },
        },
      });
      this.log("volume provisioned", { claim: `${ns}/${pvc.metadata.name}`, volume: pvName });
    } catch (err) {
      this.log("volume provisioning failed; will retry", {
        claim: `${ns}/${pvc.metadata.name}`,
        error: (err as Error).message,
      });
      this.retryLater(pvc);
    } finally {
      this.inflight.delete(uid);
    }
  }

  private retryLater(pvc: Pvc): void {
    setTimeout(async () => {
      try {
        const fresh = await this.client.get<Pvc>(
          `/api/v1/namespaces/${pvc.metadata.namespace ?? "default"}/persistentvolumeclaims/${pvc.metadata.name}`,
        );
        void this.reconcileClaim(fresh);
      } catch {
        // Gone: nothing to do.
      }
    }, 3000).unref();
  }

  private async releaseVolume(name: string): Promise<void> {
    try {
      const pv = await this.client.get<Pv>(`/api/v1/persistentvolumes/${name}`);
      await this.reconcileVolume(pv);
    } catch {
      // Already gone.
    }
  }

  /** A bound volume whose claim is gone is released; with policy Delete it is deleted. */
  private async reconcileVolume(pv: Pv): Promise<void> {
    const ref = pv.spec.claimRef;
    if (!ref?.name || pv.spec.persistentVolumeReclaimPolicy !== "Delete") return;
    if (
      (pv.metadata.annotations as Record<string, string> | undefined)?.["pv.kubernetes.io/provisioned-by"] !==
      PROVISIONER
    )
      return;
    try {
      const claim = await this.client.get<Pvc>(
        `/api/v1/namespaces/${ref.namespace ?? "default"}/persistentvolumeclaims/${ref.name}`,
      );
      if (claim.metadata.uid === ref.uid) return;
    } catch (err) {
      if (!(err instanceof KubeApiError && err.code === 404)) return;
    }
    try {
      await this.client.delete(`/api/v1/persistentvolumes/${pv.metadata.name}`);
    } catch (err) {
      if (!(err instanceof KubeApiError && err.code === 404)) return;
    }
    this.backend.deleteVolume(pv.spec.csi?.volumeHandle ?? pv.metadata.name);
    this.log("volume deleted", { volume: pv.metadata.name });
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
