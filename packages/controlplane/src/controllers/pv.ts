import type { KubeObject } from "../client.ts";
import { parseQuantity } from "../scheduler/quantity.ts";
import type { ControllerContext, RunningController } from "./context.ts";
import type { Pod } from "./podutil.ts";
import { clone, isAlreadyExists, isNotFound, objKey, R } from "./refs.ts";
import { WorkQueue } from "./workqueue.ts";

// PersistentVolume binder with dynamic provisioning: a pending claim binds to a matching
// Available volume, or gets one provisioned (pvc-<uid>) through opts.provisionVolume for a
// StorageClass of ours; WaitForFirstConsumer waits for a pod using the claim. A released
// volume with reclaim policy Delete is deleted (opts.deleteVolume, then the PV).

export const PROVISIONER = "nuage.io/localcloud";
const DEFAULT_CLASS_ANN = "storageclass.kubernetes.io/is-default-class";

type Pvc = KubeObject & {
  spec: {
    storageClassName?: string | null;
    volumeName?: string;
    accessModes?: string[];
    volumeMode?: string;
    resources?: { requests?: { storage?: string } };
  };
  status?: { phase?: string; capacity?: Record<string, string>; accessModes?: string[] };
};
type Pv = KubeObject & {
  spec: {
    capacity?: { storage?: string };
    accessModes?: string[];
    storageClassName?: string;
    persistentVolumeReclaimPolicy?: string;
    claimRef?: { namespace?: string; name?: string; uid?: string; kind?: string; apiVersion?: string };
    csi?: { driver: string; volumeHandle: string };
    volumeMode?: string;
  };
  status?: { phase?: string; message?: string };
};
type StorageClass = KubeObject & { provisioner: string; reclaimPolicy?: string; volumeBindingMode?: string };

export function startPersistentVolumeController(ctx: ControllerContext): RunningController {
  const pvcInf = ctx.informers.for<Pvc>(R.persistentvolumeclaims);
  const pvInf = ctx.informers.for<Pv>(R.persistentvolumes);
  const scInf = ctx.informers.for<StorageClass>(R.storageclasses);
  const podInf = ctx.informers.for<Pod>(R.pods);
  const recorder = ctx.recorder("persistentvolume-controller");
  const queue = new WorkQueue((k) => (k.startsWith("pv:") ? syncPv(k.slice(3)) : syncClaim(k)), {
    name: "persistentvolume-binder",
    workers: 1,
    log: ctx.log,
  });
  pvcInf.addHandler({
    add: (c) => queue.add(objKey(c)),
    update: (_o, c) => queue.add(objKey(c)),
    delete: (c) => {
      for (const pv of pvInf.list()) if (pv.spec.claimRef?.uid === c.metadata.uid) queue.add(`pv:${pv.metadata.name}`);
    },
  });
  // A class appearing (or changing) may make pending claims provisionable.
  const pending = () => {
    for (const c of pvcInf.list()) if (!c.spec.volumeName) queue.add(objKey(c));
  };
  scInf.addHandler({ add: pending, update: pending });
  pvInf.addHandler({
    add: (v) => queue.add(`pv:${v.metadata.name}`),
    update: (_o, v) => queue.add(`pv:${v.metadata.name}`),
  });
  podInf.addHandler({
    add: (p) => {
      for (const v of (p.spec as any)?.volumes ?? []) {
        if (v.persistentVolumeClaim?.claimName)
          queue.add(`${p.metadata.namespace}/${v.persistentVolumeClaim.claimName}`);
      }
    },
  });

  function classOf(pvc: Pvc): StorageClass | undefined {
    const name = pvc.spec.storageClassName;
    if (name === "") return undefined;
    if (name) return scInf.getByName(undefined, name);
    return scInf.list().find((s) => s.metadata.annotations?.[DEFAULT_CLASS_ANN] === "true");
  }

  async function syncClaim(key: string) {
    const pvc = pvcInf.get(key);
    if (!pvc || pvc.metadata.deletionTimestamp) return;
    if (pvc.spec.volumeName) {
      const pv = pvInf.getByName(undefined, pvc.spec.volumeName);
      if (pv) await completeBinding(pvc, pv);
      return;
    }
    const want = parseQuantity(pvc.spec.resources?.requests?.storage);
    const sc = classOf(pvc);
    const className = pvc.spec.storageClassName ?? sc?.metadata.name ?? "";
    // 1. an existing Available volume that fits, smallest first
    const candidates = pvInf
      .list()
      .filter(
        (pv) =>
          !pv.metadata.deletionTimestamp &&
          (pv.status?.phase ?? "Available") === "Available" &&
          (!pv.spec.claimRef || pv.spec.claimRef.uid === pvc.metadata.uid) &&
          (pv.spec.storageClassName ?? "") === className &&
          parseQuantity(pv.spec.capacity?.storage) >= want &&
          (pvc.spec.accessModes ?? []).every((m) => (pv.spec.accessModes ?? []).includes(m)),
      )
      .sort((a, b) => parseQuantity(a.spec.capacity?.storage) - parseQuantity(b.spec.capacity?.storage));
    if (candidates[0]) return bind(pvc, candidates[0]);
    // 2. dynamic provisioning
    if (!sc || sc.provisioner !== PROVISIONER) return;
    if (sc.volumeBindingMode === "WaitForFirstConsumer" && !hasConsumer(pvc)) {
      recorder.normal(pvc, "WaitForFirstConsumer", "waiting for first consumer to be created before binding");
      return;
    }
    const name = `pvc-${pvc.metadata.uid}`;
    let handle: string;
    try {
      handle = ctx.opts.provisionVolume
        ? (
            await ctx.opts.provisionVolume({
              namespace: pvc.metadata.namespace!,
              name: pvc.metadata.name!,
              uid: pvc.metadata.uid!,
              storageClass: sc.metadata.name!,
              sizeBytes: want,
            })
          ).volumeHandle
        : `mem-${pvc.metadata.uid}`;
    } catch (err) {
      recorder.warning(
        pvc,
        "ProvisioningFailed",
        `failed to provision volume with StorageClass "${sc.metadata.name}": ${(err as Error).message}`,
      );
      throw err;
    }
    const pv: Pv = {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name, annotations: { "pv.kubernetes.io/provisioned-by": PROVISIONER } },
      spec: {
        capacity: { storage: pvc.spec.resources?.requests?.storage ?? "1Gi" },
        accessModes: pvc.spec.accessModes ?? ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? "Delete",
        storageClassName: sc.metadata.name,
        volumeMode: pvc.spec.volumeMode ?? "Filesystem",
        claimRef: {
          kind: "PersistentVolumeClaim",
          apiVersion: "v1",
          namespace: pvc.metadata.namespace,
          name: pvc.metadata.name,
          uid: pvc.metadata.uid,
        },
        csi: { driver: PROVISIONER, volumeHandle: handle },
      },
    };
    let created: Pv;
    try {
      created = await ctx.client.create(R.persistentvolumes, pv);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      created = await ctx.client.get<Pv>(R.persistentvolumes, undefined, name);
    }
    recorder.normal(pvc, "ProvisioningSucceeded", `Successfully provisioned volume ${name}`);
    await bind(pvc, created);
  }

  function hasConsumer(pvc: Pvc): boolean {
    return podInf
      .list(pvc.metadata.namespace)
      .some((p) =>
        ((p.spec as any)?.volumes ?? []).some((v: any) => v.persistentVolumeClaim?.claimName === pvc.metadata.name),
      );
  }

  async function bind(pvc: Pvc, pv: Pv) {
    if (pv.spec.claimRef?.uid !== pvc.metadata.uid) {
      const upd = clone(pv);
      upd.spec.claimRef = {
        kind: "PersistentVolumeClaim",
        apiVersion: "v1",
        namespace: pvc.metadata.namespace,
        name: pvc.metadata.name,
        uid: pvc.metadata.uid,
      };
      upd.metadata.annotations = { ...(upd.metadata.annotations ?? {}), "pv.kubernetes.io/bound-by-controller": "yes" };
      pv = await ctx.client.update(R.persistentvolumes, upd);
    }
    const upd = clone(pvc);
    upd.spec.volumeName = pv.metadata.name;
    // Retroactive default class, like upstream: the claim shows the class it was provisioned from.
    if (upd.spec.storageClassName === undefined && pv.spec.storageClassName)
      upd.spec.storageClassName = pv.spec.storageClassName;
    upd.metadata.annotations = {
      ...(upd.metadata.annotations ?? {}),
      "pv.kubernetes.io/bind-completed": "yes",
      "pv.kubernetes.io/bound-by-controller": "yes",
      ...(pv.metadata.annotations?.["pv.kubernetes.io/provisioned-by"]
        ? {
            "volume.kubernetes.io/storage-provisioner": PROVISIONER,
            "volume.beta.kubernetes.io/storage-provisioner": PROVISIONER,
          }
        : {}),
    };
    const saved = await ctx.client.update<Pvc>(R.persistentvolumeclaims, upd);
    await completeBinding(saved, pv);
  }

  async function completeBinding(pvc: Pvc, pv: Pv) {
    if (pv.status?.phase !== "Bound") {
      const u = clone(pv);
      u.status = { ...(u.status ?? {}), phase: "Bound" };
      await ctx.client.update(R.persistentvolumes, u, { subresource: "status" });
    }
    if (pvc.status?.phase !== "Bound") {
      const u = clone(pvc);
      u.status = { phase: "Bound", accessModes: pv.spec.accessModes, capacity: { ...(pv.spec.capacity ?? {}) } };
      await ctx.client.update(R.persistentvolumeclaims, u, { subresource: "status" });
    }
  }

  async function syncPv(name: string) {
    const pv = pvInf.getByName(undefined, name);
    if (!pv || pv.metadata.deletionTimestamp || !pv.spec.claimRef?.uid) {
      if (pv && !pv.spec.claimRef && !pv.status?.phase) {
        const u = clone(pv);
        u.status = { phase: "Available" };
        await ctx.client.update(R.persistentvolumes, u, { subresource: "status" }).catch(() => {});
      }
      return;
    }
    const ref = pv.spec.claimRef;
    const claim = pvcInf.getByName(ref.namespace, ref.name!);
    if (claim && claim.metadata.uid === ref.uid) return;
    if (!claim) {
      // The cache may lag a fresh claim: confirm with the server.
      try {
        const c = await ctx.client.get<Pvc>(R.persistentvolumeclaims, ref.namespace, ref.name!);
        if (c.metadata.uid === ref.uid) return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    // The claim is gone: release, then reclaim.
    if ((pv.spec.persistentVolumeReclaimPolicy ?? "Delete") === "Delete") {
      if (pv.spec.csi?.volumeHandle && ctx.opts.deleteVolume) await ctx.opts.deleteVolume(pv.spec.csi.volumeHandle);
      await ctx.client.delete(R.persistentvolumes, undefined, name).catch((err) => {
        if (!isNotFound(err)) throw err;
      });
      return;
    }
    if (pv.status?.phase !== "Released") {
      const u = clone(pv);
      u.status = { phase: "Released" };
      await ctx.client.update(R.persistentvolumes, u, { subresource: "status" });
    }
  }

  return {
    run: () => {
      void ensureDefaultClass().catch((err) =>
        ctx.log(`persistentvolume: default StorageClass: ${(err as Error).message}`),
      );
      queue.start();
    },
    stop: () => queue.stop(),
  };

  async function ensureDefaultClass() {
    if (scInf.list().length > 0) return;
    await ctx.client
      .create(R.storageclasses, {
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: { name: "standard", annotations: { [DEFAULT_CLASS_ANN]: "true" } },
        provisioner: PROVISIONER,
        reclaimPolicy: "Delete",
        volumeBindingMode: "Immediate",
        allowVolumeExpansion: true,
      })
      .catch((err) => {
        if (!isAlreadyExists(err)) throw err;
      });
  }
}
