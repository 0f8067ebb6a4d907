// A whole control plane in one process: the HTTPS API server plus the controllers and scheduler,
// from the JSON config localcloud writes. main.ts is its command-line entry.
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { issueCertificate, signCsr } from "@nuage/crypto";
import { PodExec } from "./apiserver/exec.ts";
import { type ApiServer, createApiServer } from "./apiserver/index.ts";
import { KubeletProxy } from "./apiserver/kubelet.ts";
import { PortForwarder } from "./apiserver/portforward.ts";
import { findResource } from "./apiserver/registry.ts";
import { Authenticator, type StaticToken } from "./auth/authn.ts";
import { type ControllerOptions, startControllers } from "./controllers/index.ts";
import { leaderIdentity, startLeaderElection } from "./leaderelection.ts";
import { startScheduler } from "./scheduler/index.ts";

export interface ControlPlaneConfig {
  name: string;
  etcd: { url: string; prefix: string };
  listen: { host: string; port: number };
  tls: { caCertPem: string; caKeyPem: string; serverCertPem: string; serverKeyPem: string };
  serviceAccountKeyPem: string;
  encryptionKeyBase64: string;
  bootstrapTokens?: { id: string; secret: string }[];
  staticTokens?: StaticToken[];
  revocationFile?: string;
  clusterCidr?: string;
  serviceCidr?: string;
  version?: string;
  /** Log 4xx answers too (debugging clients). */
  logClientErrors?: boolean;
  /** Set false to run the API server alone (tests). */
  controllers?: boolean;
  /**
   * Controller tunables (grace periods, HPA windows, CronJob clock…). Also read as JSON from
   * $NUAGE_CONTROLLER_OPTIONS, so tests can shorten upstream timings of spawned control planes.
   */
  controllerOptions?: Partial<ControllerOptions>;
  /** Address clients use (an HA control plane's load balancer), when not `listen`. */
  advertise?: { host: string; port: number };
  /**
   * HA: several API-server processes share the etcd prefix; controllers and scheduler run only in
   * the holder of their Lease in kube-system (src/leaderelection.ts).
   */
  leaderElection?: { identity?: string; leaseDurationMs?: number; renewDeadlineMs?: number; retryPeriodMs?: number };
}

export interface ControlPlane {
  api: ApiServer;
  authenticator: Authenticator;
  server: Server;
  port: number;
  stop(): Promise<void>;
}

const DAY_MS = 24 * 3600 * 1000;

export async function startControlPlane(
  cfg: ControlPlaneConfig,
  log: (m: string) => void = () => {},
): Promise<ControlPlane> {
  const authenticator = new Authenticator({
    bootstrapTokens: cfg.bootstrapTokens,
    staticTokens: cfg.staticTokens,
    serviceAccountKeyPem: cfg.serviceAccountKeyPem,
    revocationFile: cfg.revocationFile,
  });
  const ca = { certPem: cfg.tls.caCertPem, keyPem: cfg.tls.caKeyPem };
  const kubeletClient = await issueCertificate({
    ca,
    commonName: "kube-apiserver-kubelet-client",
    organizations: ["system:masters"],
    usage: "client",
    validityMs: 365 * DAY_MS,
  });
  const nodeProxy = new KubeletProxy({
    caCertPem: cfg.tls.caCertPem,
    certPem: kubeletClient.certPem,
    keyPem: kubeletClient.keyPem,
  });
  const api = createApiServer({
    etcdUrl: cfg.etcd.url,
    prefix: cfg.etcd.prefix,
    encryptionKeyBase64: cfg.encryptionKeyBase64,
    serviceCidr: cfg.serviceCidr,
    clusterCidr: cfg.clusterCidr,
    version: cfg.version,
    authenticator,
    nodeProxy,
    logClientErrors: cfg.logClientErrors,
  });
  api.subresources.tokens = authenticator;
  const saDef = findResource("", "v1", "serviceaccounts")!;
  const podDef = findResource("", "v1", "pods")!;
  authenticator.validateServiceAccount = async ({ namespace, name, uid, pod }) => {
    const sa = await api.store.storage.get(saDef, namespace, name);
    if (!sa || (uid && sa.metadata.uid !== uid)) return false;
    if (pod) {
      const p = await api.store.storage.get(podDef, namespace, pod.name);
      if (!p || (pod.uid && p.metadata.uid !== pod.uid)) return false;
    }
    return true;
  };
  nodeProxy.store = api.store;
  await api.ready;
  const server = createServer(
    {
      cert: cfg.tls.serverCertPem,
      key: cfg.tls.serverKeyPem,
      ca: cfg.tls.caCertPem,
      requestCert: true,
      rejectUnauthorized: false,
    },
    api.handler,
  );
  server.keepAliveTimeout = 65_000;
  // Upgraded connections: `kubectl port-forward` (SPDY/3.1, or SPDY tunneled in a WebSocket) and
  // `kubectl exec`/`attach` (SPDY/3.1).
  const portForward = new PortForwarder({
    store: api.store,
    authenticator,
    authorizer: api.authorizer,
    tls: { caCertPem: cfg.tls.caCertPem, certPem: kubeletClient.certPem, keyPem: kubeletClient.keyPem },
  });
  const podExec = new PodExec({
    store: api.store,
    authenticator,
    authorizer: api.authorizer,
    tls: { caCertPem: cfg.tls.caCertPem, certPem: kubeletClient.certPem, keyPem: kubeletClient.keyPem },
  });
  server.on("upgrade", (req, socket, head) => {
    if (PortForwarder.matches(req)) return portForward.handleUpgrade(req, socket, head);
    if (PodExec.matches(req)) return podExec.handleUpgrade(req, socket, head);
    socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(cfg.listen.port, cfg.listen.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const stops: { stop(): Promise<void> }[] = [];
  if (cfg.controllers !== false) {
    const runControllers = () =>
      startControllers(api.client, {
        clusterName: cfg.name,
        caPem: cfg.tls.caCertPem,
        controlPlaneHost: cfg.listen.host === "0.0.0.0" ? undefined : cfg.listen.host,
        controlPlanePort: cfg.advertise?.port ?? port,
        signCsr: async (csrPem, o) =>
          (
            await signCsr({
              ca,
              csrPem,
              usage: o.usages.includes("server auth")
                ? o.usages.includes("client auth")
                  ? "both"
                  : "server"
                : "client",
              validityMs: (o.expirationSeconds ?? 365 * 24 * 3600) * 1000,
            })
          ).certPem,
        log,
        podMetrics: (ns, sel) => nodeProxy.podMetrics(ns, sel),
        ...envControllerOptions(),
        ...(cfg.controllerOptions ?? {}),
      });
    const runScheduler = () => startScheduler(api.client, { log });
    const le = cfg.leaderElection;
    if (le) {
      const identity = le.identity ?? leaderIdentity(cfg.name);
      for (const [name, run] of [
        ["kube-controller-manager", runControllers],
        ["kube-scheduler", runScheduler],
      ] as const) {
        stops.push(startLeaderElection(api.client, { ...le, name, identity, onStartedLeading: run, log }));
      }
    } else {
      stops.push(runControllers(), runScheduler());
    }
  }
  return {
    api,
    authenticator,
    server,
    port,
    async stop() {
      await Promise.all(stops.map((s) => s.stop().catch(() => {})));
      portForward.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await api.stop();
    },
  };
}

/** Controller tunables from $NUAGE_CONTROLLER_OPTIONS (JSON object of plain values), if set. */
function envControllerOptions(): Partial<ControllerOptions> {
  const raw = process.env.NUAGE_CONTROLLER_OPTIONS;
  if (!raw) return {};
  try {
    const v = JSON.parse(raw);
    return v && typeof v === "object" && !Array.isArray(v) ? v : {};
  } catch {
    throw new Error("NUAGE_CONTROLLER_OPTIONS must be a JSON object");
  }
}
