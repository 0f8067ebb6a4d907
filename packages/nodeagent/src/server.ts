// The kubelet's HTTPS API on this node: container logs, the Summary stats API and health.
// Clients must present a certificate signed by the cluster CA (the API server does).
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { LogLine } from "./container.ts";
import { execInContainer } from "./exec.ts";
import { acceptConnection, listener } from "./net/podserver.ts";
import type { PodWorker } from "./pod.ts";

export interface KubeletServerOptions {
  /** The node's address; also the client address of simulated requests without X-Forwarded-For. */
  address: string;
  port: number;
  caCertPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  nodeName: string;
  startTime: string;
  cpuCores: number;
  memoryBytes: number;
  pods: () => Iterable<PodWorker>;
}

const iso = (d: Date) => d.toISOString();

function formatLine(l: LogLine, timestamps: boolean): string {
  return timestamps ? `${iso(l.time)} ${l.text}\n` : `${l.text}\n`;
}

export function summary(o: KubeletServerOptions): Record<string, unknown> {
  const time = new Date().toISOString();
  let nodeCpu = 0;
  let nodeMem = 0;
  const pods = [];
  for (const p of o.pods()) {
    let podCpu = 0;
    let podMem = 0;
    const containers = [];
    for (const c of p.containers) {
      const u = c.usage();
      podCpu += u.cpuNanoCores;
      podMem += u.memoryBytes;
      const started = "running" in c.state ? c.state.running.startedAt : time;
      containers.push({
        name: c.spec.name,
        startTime: started,
        cpu: { time, usageNanoCores: u.cpuNanoCores, usageCoreNanoSeconds: u.cpuNanoCores * 60 },
        memory: { time, usageBytes: u.memoryBytes, workingSetBytes: u.memoryBytes, rssBytes: u.memoryBytes },
      });
    }
    nodeCpu += podCpu;
    nodeMem += podMem;
    pods.push({
      podRef: { name: p.name, namespace: p.namespace, uid: p.uid },
      startTime: (p.object.status?.startTime as string | undefined) ?? time,
      containers,
      cpu: { time, usageNanoCores: podCpu, usageCoreNanoSeconds: podCpu * 60 },
      memory: { time, usageBytes: podMem, workingSetBytes: podMem, rssBytes: podMem },
    });
  }
  // The OS and system daemons of the VM.
  const systemCpu = Math.round(25e6 * (0.8 + Math.random() * 0.4));
  const systemMem = Math.round(350 * 2 ** 20 * (0.95 + Math.random() * 0.1));
  const cpu = nodeCpu + systemCpu;
  const mem = nodeMem + systemMem;
  return {
    node: {
      nodeName: o.nodeName,
      startTime: o.startTime,
      cpu: { time, usageNanoCores: cpu, usageCoreNanoSeconds: cpu * 60 },
      memory: {
        time,
        availableBytes: Math.max(o.memoryBytes - mem, 0),
        usageBytes: mem,
        workingSetBytes: mem,
        rssBytes: mem,
      },
      systemContainers: [],
    },
    pods,
  };
}

export async function startKubeletServer(o: KubeletServerOptions): Promise<{ port: number; close: () => void }> {
  const server = https.createServer(
    { cert: o.serverCertPem, key: o.serverKeyPem, ca: o.caCertPem, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const url = new URL(req.url ?? "/", "https://kubelet");
      const send = (code: number, body: string, type = "text/plain") => {
        res.writeHead(code, { "content-type": type });
        res.end(body);
      };
      if (url.pathname === "/healthz") return send(200, "ok");
      const socket = req.socket as import("node:tls").TLSSocket;
      if (!socket.authorized)
        return send(401, "Unauthorized: a client certificate signed by the cluster CA is required");
      // `kubectl exec` (the API server's pods/exec): POST /exec/<ns>/<pod>/<container>?command=…
      // with stdin as the body; answers {stdout, stderr, exitCode}.
      const ex = /^\/exec\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (ex && req.method === "POST") {
        const [ns, podName, cname] = [ex[1], ex[2], ex[3]].map((x) => decodeURIComponent(x ?? ""));
        const pod = [...o.pods()].find((p) => p.namespace === ns && p.name === podName);
        const c = pod?.container(cname ?? "");
        if (!pod || !c) return send(404, `container ${cname} in pod ${podName} not found`);
        const chunks: Buffer[] = [];
        req.on("data", (d: Buffer) => chunks.push(d));
        req.on("end", () => {
          execInContainer(
            { podName: pod.name, namespace: pod.namespace, podIP: pod.ip, container: c },
            url.searchParams.getAll("command"),
            Buffer.concat(chunks).toString("utf8"),
          ).then(
            (r) => send(200, JSON.stringify(r), "application/json"),
            (e: Error) => send(500, e.message),
          );
        });
        return;
      }
      // An attached interactive shell exited: POST /exit/<ns>/<pod>/<container>?code=N.
      const x = /^\/exit\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (x && req.method === "POST") {
        const [ns, podName, cname] = [x[1], x[2], x[3]].map((v) => decodeURIComponent(v ?? ""));
        const c = [...o.pods()].find((p) => p.namespace === ns && p.name === podName)?.container(cname ?? "");
        if (!c) return send(404, `container ${cname} in pod ${podName} not found`);
        c.endInteractive(Number(url.searchParams.get("code") ?? 0) || 0);
        return send(200, "ok");
      }
      if (req.method !== "GET" && !url.pathname.startsWith("/podHTTP/")) return send(405, "method not allowed");
      if (url.pathname === "/stats/summary") return send(200, JSON.stringify(summary(o)), "application/json");
      const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (m) {
        const [ns, podName, cname] = [m[1], m[2], m[3]].map((s) => decodeURIComponent(s ?? ""));
        const pod = [...o.pods()].find((p) => p.namespace === ns && p.name === podName);
        const c = pod?.container(cname ?? "");
        if (!pod || !c) return send(404, `container ${cname} in pod ${podName} not found`);
        const q = url.searchParams;
        const timestamps = q.get("timestamps") === "true";
        const previous = q.get("previous") === "true";
        if (previous && c.previousLogs.length === 0 && c.restartCount === 0) {
          return send(400, `previous terminated container "${cname}" in pod "${podName}" not found`);
        }
        let lines = previous ? c.previousLogs : c.logs;
        const since = Number(q.get("sinceSeconds") ?? 0);
        if (since > 0) lines = lines.filter((l) => l.time.getTime() >= Date.now() - since * 1000);
        const tail = q.get("tailLines");
        if (tail !== null && Number(tail) >= 0) lines = Number(tail) === 0 ? [] : lines.slice(-Number(tail));
        res.writeHead(200, { "content-type": "text/plain", "transfer-encoding": "chunked" });
        res.write(lines.map((l) => formatLine(l, timestamps)).join(""));
        if (q.get("follow") !== "true" || previous || !c.running) return res.end();
        const unfollow = c.follow(
          (l) => res.write(formatLine(l, timestamps)),
          () => res.end(),
        );
        req.on("close", unfollow);
        return;
      }
      // Simulated traffic to a pod's container port (a Service, `kubectl port-forward` or the
      // API server's pod proxy): /podHTTP/<ns>/<pod>/<port>/<path...>
      const h = /^\/podHTTP\/([^/]+)\/([^/]+)\/(\d+)(\/.*)?$/.exec(url.pathname);
      if (h) {
        const pod = [...o.pods()].find((p) => p.namespace === h[1] && p.name === h[2]);
        const port = Number(h[3]);
        const c =
          pod?.containers.find((x) => x.spec.ports?.some((p) => p.containerPort === port)) ?? pod?.containers[0];
        if (!pod || !c) return send(404, `pod ${h[1]}/${h[2]} not found on this node`);
        const r = c.handleRequest({
          method: req.method ?? "GET",
          path: `${h[4] ?? "/"}${url.search}`,
          clientIP: String(req.headers["x-forwarded-for"] ?? o.address),
          userAgent: String(req.headers["user-agent"] ?? "-"),
          podName: pod.name,
        });
        const headers: Record<string, string> = { "content-type": "text/plain" };
        for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = v;
        res.writeHead(r.status, headers);
        return res.end(r.body);
      }
      send(404, "not found");
    },
  );
  // Port forwarding (the API server's pods/portforward): `POST /portForward/<ns>/<pod>?port=N` with
  // `Upgrade: tcp`; after 101 the connection is a raw byte stream to the container on that port.
  server.on("upgrade", (req: import("node:http").IncomingMessage, socket: import("node:stream").Duplex) => {
    socket.on("error", () => undefined);
    const fail = (code: number, text: string) => {
      socket.end(
        `HTTP/1.1 ${code} ${code === 401 ? "Unauthorized" : code === 404 ? "Not Found" : "Bad Gateway"}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
      );
    };
    if (!(req.socket as import("node:tls").TLSSocket).authorized)
      return fail(401, "Unauthorized: a client certificate signed by the cluster CA is required");
    const url = new URL(req.url ?? "/", "https://kubelet");
    const m = /^\/portForward\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    const port = Number(url.searchParams.get("port"));
    if (!m || !Number.isInteger(port) || port < 1 || port > 65535) return fail(404, "not found");
    const [ns, name] = [decodeURIComponent(m[1] ?? ""), decodeURIComponent(m[2] ?? "")];
    const pod = [...o.pods()].find((p) => p.namespace === ns && p.name === name);
    if (!pod) return fail(404, `pod ${ns}/${name} not found on this node`);
    if (!listener(pod, port)) {
      return fail(
        502,
        `failed to connect to localhost:${port} inside namespace "${pod.uid}", IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused`,
      );
    }
    socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: tcp\r\nConnection: Upgrade\r\n\r\n");
    acceptConnection(pod, port, socket, "127.0.0.1");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.address, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
