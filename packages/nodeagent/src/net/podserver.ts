// Connections reaching a simulated pod (from a NodePort, a load balancer, an Ingress, another
// pod or `kubectl port-forward`): the container listening on the port takes the byte stream.
// HTTP images are served by one in-memory http.Server (never listening: sockets are handed to
// it), which parses real HTTP/1.1 and asks the container for its answer (container.ts).
import http from "node:http";
import type { Duplex } from "node:stream";
import type { ContainerSim } from "../container.ts";
import { parseImage } from "../images.ts";
import { speaksHttp } from "./http.ts";

export interface ServingPod {
  readonly name: string;
  readonly namespace: string;
  readonly containers: ContainerSim[];
}

interface Target {
  container: ContainerSim;
  pod: ServingPod;
  port: number;
  clientIP: string;
}

const targets = new WeakMap<object, Target>();

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(", ") : v);

const server = http.createServer((req, res) => {
  const t = targets.get(req.socket);
  if (!t?.container.listensOn(t.port)) {
    req.socket.destroy();
    return;
  }
  const r = t.container.handleRequest({
    method: req.method ?? "GET",
    path: req.url ?? "/",
    clientIP: t.clientIP,
    userAgent: header(req.headers["user-agent"]) ?? "-",
    host: header(req.headers.host),
    referer: header(req.headers.referer),
    forwardedFor: header(req.headers["x-forwarded-for"]),
    podName: t.pod.name,
  });
  // Drain a request body, then answer.
  req.resume();
  req.on("end", () => {
    res.writeHead(r.status, { ...r.headers, "Content-Length": Buffer.byteLength(r.body) });
    res.end(r.body);
  });
});
server.keepAliveTimeout = 65_000;

/** The container of the pod that accepts connections on this port now, if any. */
export function listener(pod: ServingPod, port: number): ContainerSim | undefined {
  const declared = pod.containers.find((c) => c.spec.ports?.some((p) => p.containerPort === port));
  if (declared) return declared.listensOn(port) ? declared : undefined;
  return pod.containers.find((c) => c.listensOn(port));
}

/**
 * Hands a connection to the pod's container listening on `port`. Returns false (and destroys the
 * socket, as a refused connection) when nothing listens there.
 */
export function acceptConnection(pod: ServingPod, port: number, socket: Duplex, clientIP: string): boolean {
  const c = listener(pod, port);
  if (!c) {
    socket.destroy();
    return false;
  }
  if (speaksHttp(c.spec.image)) {
    targets.set(socket, { container: c, pod, port, clientIP });
    server.emit("connection", socket);
    return true;
  }
  // Databases: a greeting in their own protocol, enough for a client to see something answers.
  const name = parseImage(c.spec.image).name;
  socket.on("error", () => undefined);
  if (name === "redis") {
    socket.on("data", (d: Buffer) => {
      const text = d.toString("utf8");
      socket.write(/ping/i.test(text) ? "+PONG\r\n" : "-ERR unknown command\r\n");
    });
  } else if (name === "mysql" || name === "mariadb") {
    socket.write(Buffer.from("4a0000000a382e342e3300", "hex"));
  }
  c.load.hit();
  return true;
}
