// Options of the controller manager (what kube-controller-manager takes as flags).

export interface ControllerOptions {
  /** Cluster name, used for the control-plane node name when controlPlaneHost is absent. */
  clusterName: string;
  /** Signs a PEM CSR with the cluster CA, returns a PEM certificate (CSR signing controller). */
  signCsr?: (csrPem: string, opts: { usages: string[]; expirationSeconds?: number }) => Promise<string>;
  /** Provisions a volume for a claim (PV binder, dynamic provisioning). */
  provisionVolume?: (claim: {
    namespace: string;
    name: string;
    uid: string;
    storageClass: string;
    sizeBytes: number;
  }) => Promise<{ volumeHandle: string }>;
  /** Deletes a provisioned volume (reclaim policy Delete). */
  deleteVolume?: (handle: string) => Promise<void>;
  /** Seconds without a Lease renewal before a node becomes Ready=Unknown (default 40). */
  nodeMonitorGracePeriodSeconds?: number;
  /** Default tolerationSeconds for the unreachable/not-ready NoExecute taints (default 300). */
  podEvictionTimeoutSeconds?: number;
  /** Host name (or IP) of the API server: nodeName of control-plane mirror pods, `kubernetes` endpoints. */
  controlPlaneHost?: string;
  /** IP published in the `kubernetes` Endpoints (default: controlPlaneHost when it is an IP, else 127.0.0.1). */
  controlPlaneIp?: string;
  /** Port published in the `kubernetes` Endpoints (default 6443). */
  controlPlanePort?: number;
  /** The cluster CA PEM, published as the `kube-root-ca.crt` ConfigMap in every namespace. */
  caPem?: string;
  /** Kubernetes version shown by the control-plane mirror pods and kube-proxy images (default v1.32.0). */
  kubernetesVersion?: string;
  /** ClusterIP of the kube-dns Service (default 10.96.0.10). */
  clusterDnsIp?: string;
  /** How long a pod bound to a deleted Node waits before it is force-deleted (default 40). */
  podGcQuarantineSeconds?: number;
  /** Job pod-failure back-off: first delay in seconds, doubling up to 360 (default 10, as upstream). */
  jobBackoffBaseSeconds?: number;
  /** Clock of the CronJob controller (tests move time instead of waiting for minutes). */
  now?: () => Date;
  /** HPA: seconds between two reconciliations of an HPA (default 15, upstream's --horizontal-pod-autoscaler-sync-period). */
  hpaSyncPeriodSeconds?: number;
  /** HPA: default scale-down stabilisation window in seconds (default 300). */
  hpaDownscaleStabilizationSeconds?: number;
  /** HPA: tolerance of the usage ratio before scaling (default 0.1). */
  hpaTolerance?: number;
  /** HPA: pods started less than this many seconds ago have their CPU ignored while unready (default 300). */
  hpaCpuInitializationPeriodSeconds?: number;
  /** metrics.k8s.io PodMetrics of a namespace (what the HPA controller reads; none: no metrics). */
  podMetrics?: (namespace: string, labelSelector: string) => Promise<PodMetricsItem[]>;
  /** Which controllers to run (default all). Names as in upstream: "deployment", "replicaset"... */
  controllers?: string[];
  /** Log function (default: none). Never given secrets. */
  log?: (msg: string) => void;
}

/** One metrics.k8s.io/v1beta1 PodMetrics (usage quantities as strings, e.g. "12345n", "2048Ki"). */
export interface PodMetricsItem {
  metadata: { name?: string; namespace?: string };
  timestamp?: string;
  window?: string;
  containers: { name: string; usage: { cpu?: string; memory?: string } }[];
}
