// The ingress controller localcloud runs for each cluster (what a cloud's managed ingress does):
// the default IngressClass `nuage` (annotated default), one loopback address per cluster with an
// HTTP listener on port 80, published in every served Ingress's status.loadBalancer.ingress, and
// routing by host (exact, then `*.` wildcard, then rules without host) and path (Exact, then the
// longest Prefix by path elements; ImplementationSpecific as a string prefix) to a ready endpoint
// of the backend Service. Nothing matching: the Ingresses' defaultBackend, else 404.
import http from "node:http";
import https from "node:https";
import type net from "node:net";
import tls from "node:tls";
import { createCA, issueCertificate } from "@nuage/crypto";
import type { ClusterNetwork, KubeClient, KubeObj, NetService } from "@nuage/nodeagent";
import { KubeApiError } from "@nuage/nodeagent";

export const INGRESS_CLASS = "nuage";
export const INGRESS_CONTROLLER = "nuage.io/ingress";
const DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";

interface Backend {
  service?: { name: string; port?: { number?: number; name?: string } };
}
interface Ingress extends KubeObj {
  spec?: {
    ingressClassName?: string;
    tls?: Array<{ hosts?: string[]; secretName?: string }>;
    defaultBackend?: Backend;
    rules?: Array<{
      host?: string;
      http?: { paths?: Array<{ path?: string; pathType?: string; backend: Backend }> };
    }>;
  };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } };
}

export interface Route {
  ingress: Ingress;
  backend: Backend;
}

const annotations = (o: KubeObj) => (o.metadata.annotations ?? {}) as Record<string, string>;

const page = (code: number, text: string) =>
  `<html>\r\n<head><title>${code} ${text}</title></head>\r\n<body>\r\n<center><h1>${code} ${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

function hostScore(ruleHost: string | undefined, host: string): number {
  if (!ruleHost) return 1;
  const h = ruleHost.toLowerCase();
  if (h === host) return 3;
  if (h.startsWith("*.")) {
    const rest = h.slice(1); // ".example.com"
    return host.endsWith(rest) && !host.slice(0, -rest.length).includes(".") && host.length > rest.length ? 2 : 0;
  }
  return 0;
}

/** How well a rule path matches (-1: not at all); longer is better, Exact beats Prefix. */
function pathScore(path: string | undefined, type: string | undefined, reqPath: string): number {
  const p = path || "/";
  if (type === "Exact") return p === reqPath ? 100_000 + p.length : -1;
  if (type === "ImplementationSpecific") return reqPath.startsWith(p) ? p.length : -1;
  // Prefix: element-wise (/foo matches /foo and /foo/bar, not /foobar); trailing slash ignored.
  const want = p.split("/").filter(Boolean);
  const got = reqPath.split("/").filter(Boolean);
  if (want.length > got.length) return -1;
  for (let i = 0; i < want.length; i++) if (want[i] !== got[i]) return -1;
  return p.replace(/\/+$/, "").length;
}

/** The backend for a request among the served Ingresses, or undefined (404). */
export function route(ingresses: Ingress[], hostHeader: string, url: string): Route | undefined {
  const host = hostHeader.replace(/:\d+$/, "").toLowerCase();
  const reqPath = (url.split("?")[0] || "/").replace(/\/{2,}/g, "/");
  let best: { score: [number, number]; route: Route } | undefined;
  for (const ing of ingresses) {
    for (const rule of ing.spec?.rules ?? []) {
      const hs = hostScore(rule.host, host);
      if (hs === 0) continue;
      for (const p of rule.http?.paths ?? []) {
        const ps = pathScore(p.path, p.pathType, reqPath);
        if (ps < 0) continue;
        const score: [number, number] = [hs, ps];
        if (!best || score[0] > best.score[0] || (score[0] === best.score[0] && score[1] > best.score[1])) {
          best = { score, route: { ingress: ing, backend: p.backend } };
        }
      }
    }
  }
  if (best) return best.route;
  const fallback = ingresses.find((i) => i.spec?.defaultBackend);
  return fallback?.spec?.defaultBackend ? { ingress: fallback, backend: fallback.spec.defaultBackend } : undefined;
}

/** The TLS entry (secret) of the served Ingresses for an SNI name: exact host, then `*.` wildcard. */
export function tlsSecretFor(
  ingresses: Ingress[],
  servername: string,
): { namespace: string; name: string } | undefined {
  const host = servername.toLowerCase();
  let wild: { namespace: string; name: string } | undefined;
  for (const i of ingresses) {
    for (const t of i.spec?.tls ?? []) {
      if (!t.secretName) continue;
      const ref = { namespace: i.metadata.namespace ?? "default", name: t.secretName };
      for (const h of t.hosts ?? []) {
        if (h.toLowerCase() === host) return ref;
        if (!wild && h.startsWith("*.") && hostScore(h, host) === 2) wild = ref;
      }
    }
  }
  return wild;
}

export function startIngressController(opts: {
  client: KubeClient;
  network: ClusterNetwork;
  /** This cluster's ingress address (a localcloud load balancer record of its own). */
  address: string;
  port?: number;
  /** HTTPS for the Ingresses' `spec.tls` (their Secrets, by SNI); 0 = none. Default 443. */
  tlsPort?: number;
  log: (msg: string, fields?: Record<string, unknown>) => void;
}): { stop(): void; server: http.Server } {
  const { client, network, address, log } = opts;
  const ingresses = new Map<string, Ingress>();
  const classes = new Map<string, KubeObj & { spec?: { controller?: string } }>();
  const key = (o: KubeObj) => `${o.metadata.namespace}/${o.metadata.name}`;
  let stopped = false;

  const defaultIsOurs = () =>
    [...classes.values()].some(
      (c) => c.metadata.name === INGRESS_CLASS && annotations(c)[DEFAULT_CLASS_ANNOTATION] === "true",
    );
  const ours = (i: Ingress) => {
    const cls = i.spec?.ingressClassName ?? annotations(i)["kubernetes.io/ingress.class"];
    if (cls) return classes.get(cls)?.spec?.controller === INGRESS_CONTROLLER || cls === INGRESS_CLASS;
    return defaultIsOurs();
  };
  const served = () =>
    [...ingresses.values()]
      .filter(ours)
      .sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)));

  const publish = async (i: Ingress) => {
    if (!ours(i) || i.status?.loadBalancer?.ingress?.[0]?.ip === address) return;
    try {
      await client.mergePatch(
        `/apis/networking.k8s.io/v1/namespaces/${i.metadata.namespace}/ingresses/${i.metadata.name}/status`,
        { status: { loadBalancer: { ingress: [{ ip: address }] } } },
      );
    } catch (err) {
      if (!(err instanceof KubeApiError && err.code === 404)) {
        log("ingress status update failed", { ingress: key(i), error: (err as Error).message });
      }
    }
  };

  const ensureClass = async () => {
    try {
      await client.create("/apis/networking.k8s.io/v1/ingressclasses", {
        apiVersion: "networking.k8s.io/v1",
        kind: "IngressClass",
        metadata: {
          name: INGRESS_CLASS,
          annotations: { [DEFAULT_CLASS_ANNOTATION]: "true" },
          labels: { "app.kubernetes.io/managed-by": "localcloud" },
        },
        spec: { controller: INGRESS_CONTROLLER },
      });
    } catch (err) {
      if (!(err instanceof KubeApiError && err.code === 409)) {
        log("ingress class creation failed; retrying", { error: (err as Error).message });
        if (!stopped) setTimeout(() => void ensureClass(), 5000).unref();
      }
    }
  };
  void ensureClass();

  const classWatch = client.listWatch<KubeObj & { spec?: { controller?: string } }>(
    "/apis/networking.k8s.io/v1/ingressclasses",
    {},
    {
      onSync: (items) => {
        classes.clear();
        for (const c of items) classes.set(c.metadata.name, c);
        for (const i of ingresses.values()) void publish(i);
      },
      onEvent: (e) => {
        if (e.type === "DELETED") classes.delete(e.object.metadata.name);
        else classes.set(e.object.metadata.name, e.object);
        for (const i of ingresses.values()) void publish(i);
      },
    },
  );
  const ingWatch = client.listWatch<Ingress>(
    "/apis/networking.k8s.io/v1/ingresses",
    {},
    {
      onSync: (items) => {
        ingresses.clear();
        for (const i of items) {
          ingresses.set(key(i), i);
          void publish(i);
        }
      },
      onEvent: (e) => {
        if (e.type === "DELETED") ingresses.delete(key(e.object));
        else {
          ingresses.set(key(e.object), e.object);
          void publish(e.object);
        }
      },
    },
  );

  const handle = (req: http.IncomingMessage, res: http.ServerResponse, proto: "http" | "https") => {
    const sendPage = (code: number, text: string) => {
      const body = page(code, text);
      res.writeHead(code, { "Content-Type": "text/html", "Content-Length": Buffer.byteLength(body) });
      res.end(body);
    };
    const r = route(served(), String(req.headers.host ?? ""), req.url ?? "/");
    if (!r?.backend.service) return sendPage(404, "Not Found");
    const ns = r.ingress.metadata.namespace ?? "default";
    const svc: NetService | undefined = network.service(ns, r.backend.service.name);
    const want = r.backend.service.port;
    const sp = svc?.spec?.ports?.find((p) => (want?.name ? p.name === want.name : p.port === want?.number));
    const clientIP = req.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "127.0.0.1";
    const conn = svc?.spec?.clusterIP && sp ? network.dial(svc.spec.clusterIP, sp.port, clientIP) : undefined;
    if (!conn) return sendPage(503, "Service Temporarily Unavailable");
    const headers = { ...req.headers };
    const xff = headers["x-forwarded-for"];
    headers["x-forwarded-for"] = xff ? `${xff}, ${clientIP}` : clientIP;
    headers["x-real-ip"] = clientIP;
    headers["x-forwarded-host"] = String(req.headers.host ?? "");
    headers["x-forwarded-proto"] = proto;
    // One upstream connection per request (the next request may pick another endpoint).
    headers.connection = "close";
    const up = http.request(
      {
        method: req.method,
        path: req.url,
        headers,
        createConnection: () => conn as unknown as net.Socket,
        timeout: 30_000,
      },
      (ures) => {
        res.writeHead(ures.statusCode ?? 502, ures.headers);
        ures.pipe(res);
      },
    );
    up.on("timeout", () => up.destroy(new Error("upstream timed out")));
    up.on("error", () => {
      if (!res.headersSent) sendPage(502, "Bad Gateway");
      else res.destroy();
    });
    req.pipe(up);
  };
  const server = http.createServer((req, res) => handle(req, res, "http"));
  server.on("error", (err) => log("ingress listen failed", { address, error: err.message }));
  server.listen(opts.port ?? 80, address);

  // HTTPS: the certificate of the Ingress TLS entry naming the SNI host (its kubernetes.io/tls
  // Secret), else a self-signed default, like ingress-nginx's "Fake Certificate".
  let tlsServer: https.Server | undefined;
  const contexts = new Map<string, { at: number; ctx: tls.SecureContext | undefined }>();
  const secretContext = async (ref: { namespace: string; name: string }): Promise<tls.SecureContext | undefined> => {
    const k = `${ref.namespace}/${ref.name}`;
    const hit = contexts.get(k);
    if (hit && Date.now() - hit.at < 10_000) return hit.ctx;
    let ctx: tls.SecureContext | undefined;
    try {
      const secret = await client.get<{ data?: Record<string, string> }>(
        `/api/v1/namespaces/${ref.namespace}/secrets/${ref.name}`,
      );
      const cert = Buffer.from(secret.data?.["tls.crt"] ?? "", "base64").toString("utf8");
      const key = Buffer.from(secret.data?.["tls.key"] ?? "", "base64").toString("utf8");
      ctx = cert && key ? tls.createSecureContext({ cert, key }) : undefined;
    } catch (err) {
      log("ingress TLS secret unusable", { secret: k, error: (err as Error).message });
    }
    contexts.set(k, { at: Date.now(), ctx });
    return ctx;
  };
  if (opts.tlsPort !== 0) {
    void (async () => {
      const ca = await createCA({ commonName: "Kubernetes Ingress Controller Fake CA", validityDays: 3650 });
      const fake = await issueCertificate({
        ca,
        commonName: "Kubernetes Ingress Controller Fake Certificate",
        dnsNames: ["ingress.local"],
        usage: "server",
        validityMs: 3650 * 86_400_000,
      });
      if (stopped) return;
      tlsServer = https.createServer(
        {
          cert: fake.certPem,
          key: fake.keyPem,
          SNICallback: (servername, cb) => {
            const ref = tlsSecretFor(served(), servername);
            if (!ref) return cb(null, undefined);
            secretContext(ref).then(
              (ctx) => cb(null, ctx),
              () => cb(null, undefined),
            );
          },
        },
        (req, res) => handle(req, res, "https"),
      );
      tlsServer.on("error", (err) => log("ingress TLS listen failed", { address, error: err.message }));
      tlsServer.listen(opts.tlsPort ?? 443, address);
    })().catch((err: Error) => log("ingress TLS not started", { error: err.message }));
  }

  return {
    server,
    stop() {
      stopped = true;
      classWatch.stop();
      ingWatch.stop();
      server.closeAllConnections();
      server.close();
      tlsServer?.closeAllConnections();
      tlsServer?.close();
    },
  };
}
