import type { KubeObject } from "../client.ts";
import type { Node } from "../scheduler/types.ts";
import type { ControllerContext, RunningController } from "./context.ts";
import type { Pod } from "./podutil.ts";
import { clone, isAlreadyExists, isNotFound, nowIso, R } from "./refs.ts";
import { WorkQueue } from "./workqueue.ts";

// kube-system as in a real cluster: mirror pods of the control plane (kept Running by the
// control plane itself, no node agent runs them), CoreDNS (a Deployment run by node agents) with
// the kube-dns Service at 10.96.0.10, and the kube-proxy DaemonSet (one pod per Node).

const NS = "kube-system";
const DEFAULT_VERSION = "v1.32.0";
const COMPONENTS = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"] as const;

const isIp = (s: string | undefined) => !!s && (/^\d+\.\d+\.\d+\.\d+$/.test(s) || s.includes(":"));

/** The control plane's node name: controlPlaneHost when it is a host name, else <cluster>-control-plane. */
export function controlPlaneNode(ctx: ControllerContext): string {
  const host = ctx.opts.controlPlaneHost;
  return host && !isIp(host) && host !== "localhost" ? host : `${ctx.opts.clusterName}-control-plane`;
}

function image(component: string, version: string): string {
  if (component === "etcd") return "registry.k8s.io/etcd:3.5.16-0";
  return `registry.k8s.io/${component}:${version}`;
}

export function mirrorPod(component: string, nodeName: string, version: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `${component}-${nodeName}`,
      namespace: NS,
      labels: { component, tier: "control-plane" },
      annotations: { "kubernetes.io/config.source": "file", "kubernetes.io/config.mirror": `${component}-${nodeName}` },
    },
    spec: {
      nodeName,
      hostNetwork: true,
      priority: 2000001000,
      containers: [
        {
          name: component,
          image: image(component, version),
          resources: { requests: { cpu: component === "kube-apiserver" ? "250m" : "100m" } },
        },
      ],
      tolerations: [{ operator: "Exists", effect: "NoExecute" }],
    },
  };
}

export function runningStatus(pod: Pod, ip: string, since: string) {
  const containers = ((pod.spec?.containers ?? []) as { name: string; image: string }[]).map((c) => ({
    name: c.name,
    image: c.image,
    imageID: "",
    containerID: `containerd://${Buffer.from(`${pod.metadata.name}/${c.name}`).toString("hex").slice(0, 64)}`,
    ready: true,
    started: true,
    restartCount: 0,
    state: { running: { startedAt: since } },
  }));
  return {
    phase: "Running",
    hostIP: ip,
    podIP: ip,
    podIPs: [{ ip }],
    startTime: since,
    qosClass: "Burstable",
    conditions: ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].map(
      (type) => ({
        type,
        status: "True",
        lastProbeTime: null,
        lastTransitionTime: since,
      }),
    ),
    containerStatuses: containers,
  };
}

export function startKubeSystemController(ctx: ControllerContext): RunningController {
  const podInf = ctx.informers.for<Pod>(R.pods);
  const nodeInf = ctx.informers.for<Node>(R.nodes);
  const version = ctx.opts.kubernetesVersion ?? DEFAULT_VERSION;
  const cpNode = controlPlaneNode(ctx);
  const cpIp = ctx.opts.controlPlaneIp ?? (isIp(ctx.opts.controlPlaneHost) ? ctx.opts.controlPlaneHost! : "127.0.0.1");
  const since = nowIso();
  const queue = new WorkQueue((k) => (k === "mirror" ? syncMirrors() : k === "dns" ? syncDns() : syncProxy()), {
    name: "kube-system",
    workers: 1,
    log: ctx.log,
  });
  const isMirror = (p: Pod) =>
    p.metadata.namespace === NS && p.metadata.annotations?.["kubernetes.io/config.mirror"] !== undefined;
  podInf.addHandler({
    update: (_o, p) => isMirror(p) && queue.add("mirror"),
    delete: (p) => {
      if (isMirror(p)) queue.add("mirror");
      if (p.metadata.namespace === NS && p.metadata.labels?.["k8s-app"] === "kube-proxy") queue.add("proxy");
    },
  });
  nodeInf.addHandler({ add: () => queue.add("proxy"), delete: () => queue.add("proxy") });

  async function syncMirrors() {
    for (const c of COMPONENTS) {
      const want = mirrorPod(c, cpNode, version);
      let cur = podInf.getByName(NS, want.metadata.name!);
      if (!cur || cur.metadata.deletionTimestamp) {
        if (cur?.metadata.deletionTimestamp) {
          await ctx.client.delete(R.pods, NS, cur.metadata.name!, { gracePeriodSeconds: 0 }).catch(() => {});
        }
        try {
          cur = await ctx.client.create<Pod>(R.pods, want);
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
          continue;
        }
      }
      if (
        cur.status?.phase !== "Running" ||
        !(cur.status?.conditions ?? []).some((x) => x.type === "Ready" && x.status === "True")
      ) {
        const upd = clone(cur);
        upd.status = runningStatus(cur, cpIp, since);
        await ctx.client.update(R.pods, upd, { subresource: "status" }).catch((err) => {
          if (!isNotFound(err)) throw err;
        });
      }
    }
  }

  async function ensure(ref: Parameters<typeof ctx.client.create>[0], obj: KubeObject) {
    try {
      await ctx.client.get(ref, obj.metadata.namespace, obj.metadata.name!);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await ctx.client.create(ref, obj).catch((e) => {
        if (!isAlreadyExists(e)) throw e;
      });
    }
  }

  async function syncDns() {
    const labels = { "k8s-app": "kube-dns" };
    await ensure(R.serviceaccounts, {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "coredns", namespace: NS },
    });
    await ensure(R.configmaps, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "coredns", namespace: NS },
      data: {
        Corefile:
          ".:53 {\n    errors\n    health {\n       lameduck 5s\n    }\n    ready\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n       pods insecure\n       fallthrough in-addr.arpa ip6.arpa\n       ttl 30\n    }\n    prometheus :9153\n    forward . /etc/resolv.conf {\n       max_concurrent 1000\n    }\n    cache 30\n    loop\n    reload\n    loadbalance\n}\n",
      },
    });
    await ensure(R.deployments, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "coredns", namespace: NS, labels },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: "25%" } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: "coredns",
            dnsPolicy: "Default",
            tolerations: [
              { key: "CriticalAddonsOnly", operator: "Exists" },
              { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" },
            ],
            containers: [
              {
                name: "coredns",
                image: "registry.k8s.io/coredns/coredns:v1.11.3",
                args: ["-conf", "/etc/coredns/Corefile"],
                resources: { requests: { cpu: "100m", memory: "70Mi" }, limits: { memory: "170Mi" } },
                ports: [
                  { name: "dns", containerPort: 53, protocol: "UDP" },
                  { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
                  { name: "metrics", containerPort: 9153, protocol: "TCP" },
                ],
                volumeMounts: [{ name: "config-volume", mountPath: "/etc/coredns", readOnly: true }],
              },
            ],
            volumes: [
              { name: "config-volume", configMap: { name: "coredns", items: [{ key: "Corefile", path: "Corefile" }] } },
            ],
          },
        },
      },
    });
    await ensure(R.services, {
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: "kube-dns",
        namespace: NS,
        labels: { ...labels, "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS" },
        annotations: { "prometheus.io/port": "9153", "prometheus.io/scrape": "true" },
      },
      spec: {
        selector: labels,
        clusterIP: ctx.opts.clusterDnsIp ?? "10.96.0.10",
        ports: [
          { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
          { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
          { name: "metrics", port: 9153, protocol: "TCP", targetPort: 9153 },
        ],
      },
    });
  }

  /**
   * kube-proxy is a DaemonSet, as kubeadm installs it (created when missing): `kubectl drain
   * --ignore-daemonsets` skips its pods. Pods of the former per-Node kind (owner: the Node) go.
   */
  async function syncProxy() {
    for (const p of podInf.list(NS)) {
      if (p.metadata.labels?.["k8s-app"] !== "kube-proxy" || p.metadata.deletionTimestamp) continue;
      if (p.metadata.ownerReferences?.some((r) => r.kind === "Node")) {
        await ctx.client.delete(R.pods, NS, p.metadata.name!, { gracePeriodSeconds: 0 }).catch(() => {});
      }
    }
    const ds = { group: "apps", version: "v1", resource: "daemonsets" };
    try {
      await ctx.client.get(ds, NS, "kube-proxy");
      return;
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
    const labels = { "k8s-app": "kube-proxy" };
    await ctx.client
      .create(ds, {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: { name: "kube-proxy", namespace: NS, labels },
        spec: {
          selector: { matchLabels: labels },
          updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
          template: {
            metadata: { labels },
            spec: {
              hostNetwork: true,
              tolerations: [{ operator: "Exists" }],
              nodeSelector: { "kubernetes.io/os": "linux" },
              containers: [
                {
                  name: "kube-proxy",
                  image: `registry.k8s.io/kube-proxy:${version}`,
                  command: [
                    "/usr/local/bin/kube-proxy",
                    "--config=/var/lib/kube-proxy/config.conf",
                    "--hostname-override=$(NODE_NAME)",
                  ],
                  env: [
                    { name: "NODE_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "spec.nodeName" } } },
                  ],
                  securityContext: { privileged: true },
                },
              ],
            },
          },
        },
      } as KubeObject)
      .catch((err) => {
        if ((err as { code?: number }).code !== 409) throw err;
      });
  }

  return {
    run: () => {
      queue.add("mirror");
      queue.add("dns");
      queue.add("proxy");
      queue.start();
    },
    stop: () => queue.stop(),
  };
}
