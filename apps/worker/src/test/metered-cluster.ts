// Integration-test set-up shared by the metering and billing tests: an in-process localcloud, a real
// one-node cluster (API server, node agent) running a small workload (a pod with requests, a 1 Gi claim,
// a LoadBalancer service), its Cluster row for a new org, and helpers to run worker processes.
import { type ChildProcess, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { now } from "@nuage/core";
import { getDb } from "@nuage/db";
import { type LocalCluster, startLocalCluster } from "@nuage/localcloud";
import { signUpUser, uid } from "../../../../packages/api/src/test/helpers.ts";
import { type Cloud, eventually, kubectl, startCloud } from "../clusters/test/harness.ts";

export const WORKLOAD = `
apiVersion: v1
kind: Namespace
metadata: { name: shop }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data, namespace: shop }
spec:
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 1Gi } }
---
apiVersion: v1
kind: Pod
metadata: { name: web, namespace: shop, labels: { app: web } }
spec:
  containers:
    - name: nginx
      image: nginx:1.27
      ports: [{ containerPort: 80 }]
      resources: { requests: { cpu: 250m, memory: 128Mi } }
      volumeMounts: [{ name: data, mountPath: /data }]
  volumes: [{ name: data, persistentVolumeClaim: { claimName: data } }]
---
apiVersion: v1
kind: Service
metadata: { name: web-lb, namespace: shop }
spec:
  type: LoadBalancer
  selector: { app: web }
  ports: [{ port: 80, targetPort: 80 }]
`;

export interface MeteredCluster {
  cloud: Cloud;
  lc: LocalCluster;
  orgId: string;
  clusterId: string;
}

/** Starts localcloud and an HA-flagged cluster (created at the platform's `now()`, after its machines) of one s-2vcpu-4gb node whose workload is running. */
export async function startMeteredCluster(opts: { tag: string }): Promise<MeteredCluster> {
  const cloud = await startCloud();
  const owner = await signUpUser(`${opts.tag}-meter`, { verified: true });
  const orgId = owner.orgId;
  const clusterId = `${opts.tag}-${uid()}`;
  const lc = await startLocalCluster({
    localcloud: { url: cloud.lc.url, token: cloud.lc.token },
    name: clusterId,
    nodes: 1,
    flavor: "s-2vcpu-4gb",
    clustersDir: join(cloud.dir, "clusters"),
  });
  await getDb().cluster.create({
    data: {
      id: clusterId,
      orgId,
      name: "metered",
      region: "local-1",
      version: "1.32",
      status: "running",
      haControlPlane: true,
      createdAt: now(), // the platform's clock, which a test may have moved (NUAGE_TEST_CLOCK_OFFSET_MS)
    },
  });
  const file = join(cloud.dir, "shop.yaml");
  await writeFile(file, WORKLOAD);
  await kubectl(lc.kubeconfigPath, ["apply", "-f", file]);
  const get = (kind: string, name: string, path: string) =>
    kubectl(lc.kubeconfigPath, ["-n", "shop", "get", kind, name, "-o", `jsonpath={${path}}`]);
  await eventually(async () => {
    const phase = await get("pod", "web", ".status.phase");
    const pvc = await get("pvc", "data", ".status.phase");
    const lb = await get("svc", "web-lb", ".status.loadBalancer.ingress[0].ip");
    if (phase !== "Running" || pvc !== "Bound" || !lb) throw new Error(`pod ${phase}, pvc ${pvc}, lb ${lb}`);
  }, 90_000);
  return { cloud, lc, orgId, clusterId };
}

/** Removes the org's metering rows and stops the cluster and localcloud. */
export async function stopMeteredCluster(m: Partial<MeteredCluster>): Promise<void> {
  const db = getDb();
  if (m.orgId) {
    await db.usageSample.deleteMany({ where: { orgId: m.orgId } });
    await db.usageRollup.deleteMany({ where: { orgId: m.orgId } });
    await db.usageRollupDirty.deleteMany({ where: { orgId: m.orgId } });
    await db.meteringClusterState.deleteMany({ where: { orgId: m.orgId } });
  }
  await m.lc?.stop().catch(() => undefined);
  await m.cloud?.close();
}

/** Worker processes (`tsx <entry>`) started by a test, killed at its end whatever happens. */
export class Workers {
  readonly children = new Set<ChildProcess>();

  start(entry: string, env: Record<string, string | undefined>): ChildProcess {
    const child = spawn(process.execPath, ["--import", "tsx", entry], {
      env: { ...process.env, NUAGE_TEST: "1", ...env },
      stdio: ["ignore", "ignore", process.env.NUAGE_TEST_WORKER_LOGS === "1" ? "inherit" : "ignore"],
    });
    this.children.add(child);
    child.on("exit", () => this.children.delete(child));
    return child;
  }

  killAll(): void {
    for (const c of this.children) c.kill("SIGKILL");
  }
}

/** Resolves once the process has exited. */
export function exited(c: ChildProcess): Promise<unknown> {
  return new Promise((r) => (c.exitCode !== null || c.signalCode ? r(null) : c.once("exit", r)));
}
