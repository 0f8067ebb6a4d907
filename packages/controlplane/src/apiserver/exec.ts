// pods/exec: `kubectl exec` over SPDY/3.1 with the v4.channel.k8s.io stream protocol (kubectl ≥ 1.30
// tries a WebSocket first and falls back to SPDY when that upgrade is refused, as here). The command
// runs in the node agent's simulated container (`POST /exec/<ns>/<pod>/<container>` on the kubelet
// API); an interactive shell (`kubectl exec -it <pod> -- sh`) is a line-by-line prompt over the
// same call. Exit codes come back as upstream's NonZeroExitCode Status.

import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import { request } from "node:https";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { Authenticator } from "../auth/authn.ts";
import { RbacAuthorizer } from "../auth/rbac.ts";
import { LOOPBACK_USER, type UserInfo } from "./context.ts";
import { ApiError, asApiError, badRequest, forbidden, toStatus, unauthorized } from "./errors.ts";
import type { KubeletClientTls } from "./kubelet.ts";
import { findResource } from "./registry.ts";
import { SpdySession } from "./spdy.ts";
import type { Store } from "./store.ts";

type Json = any;
const PODS = findResource("", "v1", "pods")!;
const NODES = findResource("", "v1", "nodes")!;
const PATH_RE = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach)\/?$/;
const PROTOCOL = "v4.channel.k8s.io";
/** WebSocket subprotocols served (kubectl ≥ 1.30 offers v5 first; @kubernetes/client-node v4). */
const WS_PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"];
const CHANNELS = ["stdin", "stdout", "stderr", "error", "resize"];

/** One stream of an exec session: a SPDY stream, or a channel of the WebSocket protocol. */
interface Chan extends EventEmitter {
  remoteClosed: boolean;
  write(data: Buffer): void;
  end(): void;
}
interface Sess {
  close(): void;
  on(event: "close", fn: () => void): unknown;
}

/** A channel of the k8s WebSocket stream protocol: binary messages prefixed with the channel byte. */
class WsChannel extends EventEmitter implements Chan {
  remoteClosed = false;
  private ended = false;
  constructor(
    private readonly ws: WebSocket,
    private readonly id: number,
  ) {
    super();
  }
  write(data: Buffer): void {
    if (!this.ended && this.ws.readyState === this.ws.OPEN) this.ws.send(Buffer.concat([Buffer.from([this.id]), data]));
  }
  end(): void {
    // The client reads to the close of the connection; v5's close message goes client → server only.
    this.ended = true;
  }
}
const SHELLS = new Set(["sh", "bash", "ash", "dash", "zsh"]);

interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface PodExecDeps {
  store: Store;
  authenticator?: Authenticator;
  authorizer: RbacAuthorizer;
  tls: KubeletClientTls;
}

const truthy = (v: string | null) => v === "true" || v === "1";

function statusFor(argv: string[], code: number): Json {
  if (code === 0) return { metadata: {}, status: "Success" };
  return {
    metadata: {},
    status: "Failure",
    message: `command terminated with non-zero exit code: error executing command [${argv.join(" ")}], exit code ${code}`,
    reason: "NonZeroExitCode",
    details: { causes: [{ reason: "ExitCode", message: String(code) }] },
  };
}

export class PodExec {
  constructor(private readonly deps: PodExecDeps) {}

  static matches(req: IncomingMessage): boolean {
    return PATH_RE.test(new URL(req.url ?? "/", "http://x").pathname);
  }

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
    const attach = m[3] === "attach";
    let user: UserInfo = LOOPBACK_USER;
    if (this.deps.authenticator) {
      const u = await this.deps.authenticator.authenticate(req);
      if (!u) throw unauthorized();
      user = u;
    }
    const attrs = { verb: "create", group: "", resource: "pods", subresource: m[3], namespace, name };
    if (!this.deps.authorizer.authorize(user, attrs)) throw forbidden(PODS, name, RbacAuthorizer.message(user, attrs));
    const q = url.searchParams;
    let argv = q.getAll("command");
    if (!attach && !argv.length) throw badRequest("you must specify at least 1 command");
    const pod = (await this.deps.store.get(PODS, namespace, name)) as Json;
    const names: string[] = (pod.spec?.containers ?? []).map((c: Json) => c.name);
    const container = q.get("container") || names[0];
    if (!container || !names.includes(container)) {
      throw badRequest(`container ${container ?? ""} is not valid for pod ${name}`);
    }
    if (attach) {
      // `kubectl run -it` / `kubectl attach`: the container's own interactive shell.
      const spec = (pod.spec.containers as Json[]).find((c) => c.name === container);
      if (!spec?.stdin) {
        throw badRequest(
          `container ${container} in pod ${name} does not read stdin: attach is served for interactive containers (stdin: true, e.g. kubectl run -it … -- sh)`,
        );
      }
      argv = [...(spec.command ?? []), ...(spec.args ?? [])];
      if (!argv.length) argv = ["sh"];
    }
    if (pod.status?.phase !== "Running") {
      throw badRequest(
        `cannot exec into a container in a completed pod; current phase is ${pod.status?.phase ?? "Pending"}`,
      );
    }
    const node = (await this.deps.store.get(NODES, undefined, pod.spec.nodeName)) as Json;
    const opts = {
      stdin: truthy(q.get("stdin")),
      stdout: truthy(q.get("stdout")),
      stderr: truthy(q.get("stderr")),
      tty: truthy(q.get("tty")),
    };
    if (String(req.headers.upgrade ?? "").toLowerCase() === "websocket") {
      const asked = String(req.headers["sec-websocket-protocol"] ?? "")
        .split(",")
        .map((x) => x.trim());
      const protocol = WS_PROTOCOLS.find((p) => asked.includes(p));
      if (!protocol) throw badRequest(`unsupported WebSocket subprotocol; served: ${WS_PROTOCOLS.join(", ")}`);
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.serveWebSocket(ws, protocol === "v5.channel.k8s.io", {
          namespace,
          name,
          container,
          node,
          argv,
          attach,
          ...opts,
        });
      });
      return;
    }
    const offered = String(req.headers["x-stream-protocol-version"] ?? "")
      .split(",")
      .map((s) => s.trim());
    if (!/^SPDY\/3\.1$/i.test(String(req.headers.upgrade ?? "")) || !offered.includes(PROTOCOL)) {
      throw badRequest(`unable to upgrade: the server supports SPDY/3.1 with ${PROTOCOL}`);
    }
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PROTOCOL}\r\n\r\n`,
    );
    if (head.length) socket.unshift(head);
    this.serve(socket, { namespace, name, container, node, argv, attach, ...opts });
  }

  private serve(
    conn: Duplex,
    t: {
      namespace: string;
      name: string;
      container: string;
      node: Json;
      argv: string[];
      attach: boolean;
      stdin: boolean;
      stdout: boolean;
      stderr: boolean;
      tty: boolean;
    },
  ): void {
    const session = new SpdySession(conn);
    const streams: Record<string, Chan> = {};
    const want = [
      "error",
      ...(t.stdin ? ["stdin"] : []),
      ...(t.stdout ? ["stdout"] : []),
      ...(t.stderr && !t.tty ? ["stderr"] : []),
      ...(t.tty ? ["resize"] : []),
    ];
    let started = false;
    const stdinBuf: Buffer[] = [];
    session.on("stream", (s: Chan & { headers: Record<string, string> }) => {
      const type = s.headers.streamtype ?? "";
      streams[type] = s;
      if (type === "stdin") s.on("data", (d: Buffer) => stdinBuf.push(d));
      if (!started && want.every((w) => streams[w])) {
        started = true;
        void this.run(t, streams, stdinBuf, session).catch((e: Error) => {
          streams.error?.write(Buffer.from(JSON.stringify(toStatus(asApiError(e)))));
          this.finish(streams, session);
        });
      }
    });
  }

  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => WS_PROTOCOLS.find((p) => protocols.has(p)) ?? false,
  });

  private serveWebSocket(ws: WebSocket, v5: boolean, t: Parameters<PodExec["serve"]>[1]): void {
    const streams: Record<string, Chan> = {};
    const channels = CHANNELS.map((_, i) => new WsChannel(ws, i));
    const use = (n: string) => {
      streams[n] = channels[CHANNELS.indexOf(n)] as WsChannel;
    };
    use("error");
    if (t.stdin) use("stdin");
    if (t.stdout) use("stdout");
    if (t.stderr && !t.tty) use("stderr");
    if (t.tty) use("resize");
    const stdinBuf: Buffer[] = [];
    streams.stdin?.on("data", (d: Buffer) => stdinBuf.push(d));
    ws.on("message", (data: Buffer) => {
      const ch = data[0];
      if (ch === 255 && v5) {
        const c = channels[data[1] ?? -1];
        if (c && !c.remoteClosed) {
          c.remoteClosed = true;
          c.emit("end");
        }
      } else if (ch !== undefined && channels[ch] && data.length > 1) channels[ch]?.emit("data", data.subarray(1));
    });
    ws.on("error", () => undefined);
    ws.on("close", () => {
      for (const c of channels) {
        if (!c.remoteClosed) {
          c.remoteClosed = true;
          c.emit("end");
        }
      }
    });
    const session: Sess = {
      close: () => ws.close(1000),
      on: (_e: "close", fn: () => void) => ws.on("close", fn),
    };
    void this.run(t, streams, stdinBuf, session).catch((e: Error) => {
      streams.error?.write(Buffer.from(JSON.stringify(toStatus(asApiError(e)))));
      this.finish(streams, session);
    });
  }

  private finish(streams: Record<string, Chan>, session: Sess): void {
    for (const s of Object.values(streams)) s.end();
    setTimeout(() => session.close(), 200).unref();
  }

  private out(streams: Record<string, Chan>, t: { tty: boolean }, r: ExecResult): void {
    const fix = (s: string) => (t.tty ? s.replace(/\r?\n/g, "\r\n") : s);
    if (r.stdout) streams.stdout?.write(Buffer.from(fix(r.stdout)));
    if (r.stderr) (t.tty ? streams.stdout : streams.stderr)?.write(Buffer.from(fix(r.stderr)));
  }

  private async run(
    t: {
      namespace: string;
      name: string;
      container: string;
      node: Json;
      argv: string[];
      attach: boolean;
      stdin: boolean;
      tty: boolean;
    },
    streams: Record<string, Chan>,
    stdinBuf: Buffer[],
    session: Sess,
  ): Promise<void> {
    const cmd = (t.argv[0] ?? "").split("/").pop() ?? "";
    const interactive = t.attach || (t.stdin && SHELLS.has(cmd) && t.argv.length === 1);
    if (interactive) return this.repl(t, streams, stdinBuf, session);
    // Only commands that read stdin wait for it to end (cat with no file, sh -s).
    const readsStdin = t.stdin && ((cmd === "cat" && t.argv.length === 1) || (SHELLS.has(cmd) && t.argv[1] === "-s"));
    if (readsStdin && streams.stdin && !streams.stdin.remoteClosed) {
      await new Promise<void>((resolve) => {
        streams.stdin?.once("end", resolve);
        streams.stdin?.once("reset", resolve);
      });
    }
    const r = await this.kubelet(t, t.argv, Buffer.concat(stdinBuf).toString("utf8"));
    this.out(streams, t, r);
    streams.error?.write(Buffer.from(JSON.stringify(statusFor(t.argv, r.exitCode))));
    this.finish(streams, session);
  }

  /** `kubectl exec -it <pod> -- sh`: a prompt, one command line at a time. */
  private repl(
    t: {
      namespace: string;
      name: string;
      container: string;
      node: Json;
      argv: string[];
      attach: boolean;
      tty: boolean;
    },
    streams: Record<string, Chan>,
    stdinBuf: Buffer[],
    session: Sess,
  ): void {
    const prompt = t.tty ? "# " : "";
    const write = (s: string) => streams.stdout?.write(Buffer.from(s));
    let line = "";
    let busy = Promise.resolve();
    let done = false;
    const end = async (code: number) => {
      if (done) return;
      done = true;
      if (t.attach) {
        // The container's own shell exits: the container ends with that code (the pod's phase
        // tells kubectl run), and the attach session ends cleanly.
        await this.kubeletExit(t, code).catch(() => undefined);
        streams.error?.write(Buffer.from(JSON.stringify(statusFor(t.argv, 0))));
      } else streams.error?.write(Buffer.from(JSON.stringify(statusFor(t.argv, code))));
      this.finish(streams, session);
    };
    const runLine = (text: string) => {
      busy = busy.then(async () => {
        if (done) return;
        const trimmed = text.trim();
        const exit = /^exit(?:\s+(\d+))?$/.exec(trimmed);
        if (exit) return end(Number(exit[1] ?? 0));
        if (trimmed) this.out(streams, t, await this.kubelet(t, ["sh", "-c", trimmed], ""));
        write(prompt);
      });
    };
    const feed = (d: Buffer) => {
      for (const ch of d.toString("utf8")) {
        if (ch === "\x04" && !line) return void (busy = busy.then(() => end(0)));
        if (ch === "\x03") {
          line = "";
          if (t.tty) write(`^C\r\n${prompt}`);
          continue;
        }
        if (ch === "\x7f" || ch === "\b") {
          if (line) {
            line = line.slice(0, -1);
            if (t.tty) write("\b \b");
          }
          continue;
        }
        if (ch === "\r" || ch === "\n") {
          if (t.tty) write("\r\n");
          runLine(line);
          line = "";
          continue;
        }
        line += ch;
        if (t.tty) write(ch); // the remote terminal echoes what is typed
      }
    };
    write(prompt);
    for (const d of stdinBuf.splice(0)) feed(d);
    streams.stdin?.removeAllListeners("data");
    streams.stdin?.on("data", feed);
    streams.stdin?.on("end", () => {
      if (line) runLine(line);
      busy = busy.then(() => end(0));
    });
    session.on("close", () => {
      done = true;
    });
  }

  private kubeletExit(
    t: { namespace: string; name: string; container: string; node: Json },
    code: number,
  ): Promise<void> {
    const host = (t.node.status?.addresses ?? []).find((a: Json) => a.type === "InternalIP")?.address;
    const port = t.node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host,
          port,
          method: "POST",
          path: `/exit/${encodeURIComponent(t.namespace)}/${encodeURIComponent(t.name)}/${encodeURIComponent(t.container)}?code=${code}`,
          ca: this.deps.tls.caCertPem,
          cert: this.deps.tls.certPem,
          key: this.deps.tls.keyPem,
          checkServerIdentity: () => undefined,
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve());
        },
      );
      req.on("timeout", () => req.destroy(new Error("the node agent did not answer")));
      req.on("error", reject);
      req.end();
    });
  }

  private kubelet(
    t: { namespace: string; name: string; container: string; node: Json },
    argv: string[],
    stdin: string,
  ): Promise<ExecResult> {
    const host = (t.node.status?.addresses ?? []).find((a: Json) => a.type === "InternalIP")?.address;
    const port = t.node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
    if (!host || !port)
      return Promise.reject(
        new ApiError(503, "ServiceUnavailable", `node "${t.node.metadata.name}" has no kubelet endpoint`),
      );
    const qs = new URLSearchParams(argv.map((a) => ["command", a]));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host,
          port,
          method: "POST",
          path: `/exec/${encodeURIComponent(t.namespace)}/${encodeURIComponent(t.name)}/${encodeURIComponent(t.container)}?${qs}`,
          ca: this.deps.tls.caCertPem,
          cert: this.deps.tls.certPem,
          key: this.deps.tls.keyPem,
          checkServerIdentity: () => undefined,
          timeout: 30_000,
          headers: { "content-type": "text/plain", "content-length": Buffer.byteLength(stdin) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            if (res.statusCode !== 200) return reject(new ApiError(502, "InternalError", text.slice(0, 500)));
            try {
              resolve(JSON.parse(text) as ExecResult);
            } catch {
              reject(new ApiError(502, "InternalError", "the node agent answered something else than JSON"));
            }
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error("the node agent did not answer")));
      req.on("error", (e) => reject(new ApiError(502, "InternalError", `error dialing backend: ${e.message}`)));
      req.end(stdin);
    });
  }
}
