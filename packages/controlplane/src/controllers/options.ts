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
  /** Which controllers to run (default all). Names as in upstream: "deployment", "replicaset"... */
  controllers?: string[];
  /** Log function (default: none). Never given secrets. */
  log?: (msg: string) => void;
}
