// pods/portforward: `kubectl port-forward` to a pod (and to a service, which kubectl resolves to a
// pod itself). Both transports kubectl speaks are served:
// - SPDY/3.1 (`Upgrade: SPDY/3.1`, `X-Stream-Protocol-Version: portforward.k8s.io`), all kubectl
//   versions, and the fallback of newer ones;
// - WebSocket with the `SPDY/3.1+portforward.k8s.io` subprotocol: the same SPDY frames tunneled in
//   binary messages (kubectl ≥ 1.31 tries this first).
// Each forwarded connection is a pair of streams (error + data, same `requestid`); the data stream
// is joined to a raw connection the node agent opens to the container (`POST /portForward/...`
// with `Upgrade: tcp` on the kubelet API, client certificate of the API server).
import type { IncomingMessage } from "node:http";
import { request } from "node:https";
import type { Duplex } from "node:stream";
import { createWebSocketStream, WebSocketServer } from "ws";
import type { Authenticator } from "../auth/authn.ts";
import { RbacAuthorizer } from "../auth/rbac.ts";
import { LOOPBACK_USER, type UserInfo } from "./context.ts";
import { ApiError, asApiError, forbidden, toStatus, unauthorized } from "./errors.ts";
import type { KubeletClientTls } from "./kubelet.ts";
import { findResource } from "./registry.ts";
import { SpdySession, type SpdyStream } from "./spdy.ts";
import type { Store } from "./store.ts";

type Json = any;
const PODS = findResource("", "v1", "pods")!;
const NODES = findResource("", "v1", "nodes")!;
const PATH_RE = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward\/?$/;
const WS_PROTOCOL = "SPDY/3.1+portforward.k8s.io";

export interface PortForwardDeps {
  store: Store;
  authenticator?: Authenticator;
  authorizer: RbacAuthorizer;
  tls: KubeletClientTls;
}

export class PortForwarder {
  // ws refuses subprotocols that are not RFC 7230 tokens ("/" is not), so the protocol is checked
  // here, the header removed before ws sees it, and the answer's header added back.
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Set<SpdySession>();

  constructor(private readonly deps: PortForwardDeps) {}

  /** Whether this upgrade request is ours. */
  static matches(req: IncomingMessage): boolean {
    return PATH_RE.test(new URL(req.url ?? "/", "http://x").pathname);
  }

  /** The HTTP server's "upgrade" event. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", () => undefined);
    this.accept(req, socket, head).catch((e) => {
      const err = asApiError(e);
      const body = JSON.stringify(toStatus(err));
      if (!socket.destroyed) {
        socket.end(
          `HTTP/1.1 ${err.code} ${err.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      }
    });
  }

  private async accept(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const m = PATH_RE.exec(url.pathname);
    if (!m) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
    const [namespace, name] = [decodeURIComponent(m[1] ?? ""), decodeURIComponent(m[2] ?? "")];
    let user: UserInfo = LOOPBACK_USER;
    if (this.deps.authenticator) {
      const u = await this.deps.authenticator.authenticate(req);
      if (!u) throw unauthorized();
      user = u;
    }
    const attrs = { verb: "create", group: "", resource: "pods", subresource: "portforward", namespace, name };
    if (!this.deps.authorizer.authorize(user, attrs)) {
      throw forbidden(PODS, name, RbacAuthorizer.message(user, attrs));
    }
    const pod = (await this.deps.store.get(PODS, namespace, name)) as Json;
    if (pod.status?.phase !== "Running") {
      throw new ApiError(400, "BadRequest", `pod ${name} is not running (phase ${pod.status?.phase ?? "Pending"})`);
    }
    const node = (await this.deps.store.get(NODES, undefined, pod.spec.nodeName)) as Json;
    const target = { namespace, name, node };
    const isWebSocket = String(req.headers.upgrade ?? "").toLowerCase() === "websocket";
    if (isWebSocket) {
      const offered = String(req.headers["sec-websocket-protocol"] ?? "")
        .split(",")
        .map((s) => s.trim());
      if (!offered.includes(WS_PROTOCOL)) {
        throw new ApiError(400, "BadRequest", `unsupported WebSocket subprotocol; expected ${WS_PROTOCOL}`);
      }
      delete req.headers["sec-websocket-protocol"];
      const addProtocol = (headers: string[], r: IncomingMessage) => {
        if (r !== req) return;
        headers.push(`Sec-WebSocket-Protocol: ${WS_PROTOCOL}`);
        this.wss.off("headers", addProtocol);
      };
      this.wss.on("headers", addProtocol);
      socket.once("close", () => this.wss.off("headers", addProtocol));
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const stream = createWebSocketStream(ws);
        stream.on("error", () => undefined);
        this.serve(stream, target);
      });
      return;
    }
    if (!/^SPDY\/3\.1$/i.test(String(req.headers.upgrade ?? ""))) {
      throw new ApiError(400, "BadRequest", "Upgrade request required (SPDY/3.1 or websocket)");
    }
    const protocols = String(req.headers["x-stream-protocol-version"] ?? "")
      .split(",")
      .map((s) => s.trim());
    if (!protocols.includes("portforward.k8s.io")) {
      throw new ApiError(
        400,
        "BadRequest",
        "unable to upgrade: unable to negotiate protocol: client supports [" +
          protocols.join(" ") +
          "], server supports [portforward.k8s.io]",
      );
    }
    socket.write(
      "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n",
    );
    if (head.length) socket.unshift(head);
    this.serve(socket, target);
  }

  private serve(conn: Duplex, target: { namespace: string; name: string; node: Json }): void {
    const session = new SpdySession(conn);
    this.sessions.add(session);
    session.on("close", () => this.sessions.delete(session));
    session.on("protocolError", (e: Error) =>
      console.error(
        JSON.stringify({ event: "portforward.error", pod: `${target.namespace}/${target.name}`, message: e.message }),
      ),
    );
    const pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream }>();
    session.on("stream", (s: SpdyStream) => {
      const id = s.headers.requestid ?? String(s.id);
      const pair = pairs.get(id) ?? {};
      pairs.set(id, pair);
      if (s.headers.streamtype === "error") {
        pair.error = s;
        // The client only reads this stream.
      } else if (s.headers.streamtype === "data") {
        pair.data = s;
        void this.forward(
          target,
          s,
          () => pair.error,
          () => pairs.delete(id),
        );
      } else {
        s.cancel();
      }
    });
  }

  private async forward(
    target: { namespace: string; name: string; node: Json },
    data: SpdyStream,
    errorStream: () => SpdyStream | undefined,
    done: () => void,
  ): Promise<void> {
    const port = Number(data.headers.port);
    const fail = (message: string) => {
      const e = errorStream();
      e?.write(Buffer.from(message));
      e?.end();
      data.end();
      done();
    };
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      fail(`invalid port ${data.headers.port ?? ""}`);
      return;
    }
    // Bytes the client sends before the kubelet connection is up.
    const pending: Buffer[] = [];
    let remoteEnded = false;
    const onData = (b: Buffer) => pending.push(b);
    const onEnd = () => {
      remoteEnded = true;
    };
    data.on("data", onData);
    data.on("end", onEnd);
    let upstream: Duplex;
    try {
      upstream = await this.dialKubelet(target, port);
    } catch (e) {
      fail(`error forwarding port ${port} to pod ${target.name}, uid : ${(e as Error).message}`);
      return;
    }
    data.off("data", onData);
    data.off("end", onEnd);
    for (const b of pending) upstream.write(b);
    if (remoteEnded || data.remoteClosed) upstream.end();
    data.on("data", (b: Buffer) => upstream.write(b));
    data.on("end", () => upstream.end());
    data.on("reset", () => upstream.destroy());
    upstream.on("data", (b: Buffer) => data.write(b));
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      data.end();
      errorStream()?.end();
      done();
    };
    upstream.on("end", finish);
    upstream.on("close", finish);
    upstream.on("error", finish);
  }

  /** A raw connection to the container's port, through the node agent. */
  private dialKubelet(target: { namespace: string; name: string; node: Json }, port: number): Promise<Duplex> {
    const node = target.node;
    const host = (node.status?.addresses ?? []).find((a: Json) => a.type === "InternalIP")?.address;
    const kport = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
    if (!host || !kport) return Promise.reject(new Error(`node "${node.metadata.name}" has no kubelet endpoint`));
    return new Promise((resolve, reject) => {
      const req = request({
        host,
        port: kport,
        method: "POST",
        path: `/portForward/${encodeURIComponent(target.namespace)}/${encodeURIComponent(target.name)}?port=${port}`,
        headers: { Connection: "Upgrade", Upgrade: "tcp" },
        ca: this.deps.tls.caCertPem,
        cert: this.deps.tls.certPem,
        key: this.deps.tls.keyPem,
        checkServerIdentity: () => undefined,
        timeout: 10_000,
      });
      req.on("upgrade", (_res, socket, head) => {
        socket.setTimeout(0);
        if (head.length) socket.unshift(head);
        resolve(socket);
      });
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          reject(
            new Error(Buffer.concat(chunks).toString("utf8").slice(0, 500) || `kubelet answered ${res.statusCode}`),
          ),
        );
      });
      req.on("timeout", () => req.destroy(new Error("kubelet did not answer")));
      req.on("error", reject);
      req.end();
    });
  }

  stop(): void {
    for (const s of this.sessions) s.close();
    this.wss.close();
  }
}
