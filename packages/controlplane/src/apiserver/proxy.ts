// pods/proxy and services/proxy (`kubectl proxy` then /api/v1/namespaces/<ns>/services/<svc>/proxy/,
// the way tutorials and dashboards reach an app): the request goes to the pod's node agent
// (`/podHTTP/<ns>/<pod>/<port>/<path>`), whose simulated container answers as its image would.
// A service picks a ready endpoint of the named port, round-robin.
import type { IncomingMessage, ServerResponse } from "node:http";
import { request } from "node:https";
import { ApiError, badRequest } from "./errors.ts";
import type { KubeletClientTls } from "./kubelet.ts";
import { findResource } from "./registry.ts";
import type { ResourceRequest } from "./rest.ts";
import type { Store } from "./store.ts";

type Json = any;
const PODS = findResource("", "v1", "pods")!;
const NODES = findResource("", "v1", "nodes")!;
const SERVICES = findResource("", "v1", "services")!;
const ENDPOINTS = findResource("", "v1", "endpoints")!;
const rr = new Map<string, number>();

/** `name`, `name:port` or, for services, `scheme:name:port` (upstream's proxy name syntax). */
function splitName(raw: string, service: boolean): { name: string; port?: string } {
  const parts = raw.split(":");
  if (service && parts.length === 3) return { name: parts[1] ?? "", port: parts[2] || undefined };
  if (parts.length > 2) throw badRequest(`invalid proxy name "${raw}": expected name or name:port`);
  return { name: parts[0] ?? "", port: parts[1] || undefined };
}

function podPort(pod: Json, port: string | undefined): number {
  const ports: Json[] = (pod.spec?.containers ?? []).flatMap((c: Json) => c.ports ?? []);
  if (!port) return ports[0]?.containerPort ?? 80;
  if (/^\d+$/.test(port)) return Number(port);
  const named = ports.find((p) => p.name === port);
  if (!named) throw badRequest(`pod ${pod.metadata.name} has no port named "${port}"`);
  return named.containerPort;
}

async function serviceTarget(store: Store, ns: string, raw: string): Promise<{ pod: Json; port: number }> {
  const { name, port } = splitName(raw, true);
  const svc = (await store.get(SERVICES, ns, name)) as Json;
  const ports: Json[] = svc.spec?.ports ?? [];
  const sp = port ? ports.find((p) => p.name === port || String(p.port) === port) : ports[0];
  if (!sp) throw badRequest(`service ${name} has no port ${port ?? ""}`.trim());
  const ep = (await store.get(ENDPOINTS, ns, name).catch(() => undefined)) as Json;
  const ready: { pod: string; port: number }[] = [];
  for (const subset of ep?.subsets ?? []) {
    const p =
      (subset.ports ?? []).find((x: Json) => (x.name ?? "") === (sp.name ?? "")) ??
      (subset.ports?.length === 1 ? subset.ports[0] : undefined);
    if (!p) continue;
    for (const a of subset.addresses ?? []) if (a.targetRef?.name) ready.push({ pod: a.targetRef.name, port: p.port });
  }
  if (!ready.length) throw new ApiError(503, "ServiceUnavailable", `no endpoints available for service "${name}"`);
  const k = `${ns}/${name}/${sp.port}`;
  const i = rr.get(k) ?? 0;
  rr.set(k, i + 1);
  const pick = ready[i % ready.length]!;
  return { pod: await store.get(PODS, ns, pick.pod), port: pick.port };
}

export async function proxyToPod(
  store: Store | undefined,
  tls: KubeletClientTls,
  req: IncomingMessage,
  res: ServerResponse,
  r: ResourceRequest,
  q: URLSearchParams,
): Promise<void> {
  if (!store) throw new ApiError(503, "ServiceUnavailable", "node proxy is not ready");
  const ns = r.namespace ?? "default";
  let target: { pod: Json; port: number };
  if (r.def.resource === "services") target = await serviceTarget(store, ns, r.name ?? "");
  else {
    const { name, port } = splitName(r.name ?? "", false);
    const pod = (await store.get(PODS, ns, name)) as Json;
    target = { pod, port: podPort(pod, port) };
  }
  const pod = target.pod;
  if (!pod.spec?.nodeName || pod.status?.phase !== "Running") {
    throw new ApiError(503, "ServiceUnavailable", `pod ${pod.metadata.name} is not running`);
  }
  const node = (await store.get(NODES, undefined, pod.spec.nodeName)) as Json;
  const host = (node.status?.addresses ?? []).find((a: Json) => a.type === "InternalIP")?.address;
  const kport = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!host || !kport)
    throw new ApiError(503, "ServiceUnavailable", `node "${node.metadata.name}" has no kubelet endpoint`);
  const query = q.toString();
  const path = `/podHTTP/${encodeURIComponent(ns)}/${encodeURIComponent(pod.metadata.name)}/${target.port}${r.proxyPath ?? "/"}${query ? `?${query}` : ""}`;
  const forwardedFor = req.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    const up = request(
      {
        host,
        port: kport,
        method: req.method,
        path,
        headers: {
          "user-agent": req.headers["user-agent"] ?? "-",
          "x-forwarded-for": forwardedFor,
          ...(req.headers["content-type"] ? { "content-type": req.headers["content-type"] } : {}),
        },
        ca: tls.caCertPem,
        cert: tls.certPem,
        key: tls.keyPem,
        checkServerIdentity: () => undefined,
        timeout: 30_000,
      },
      (ures) => {
        const headers: Record<string, string> = {};
        for (const h of ["content-type", "server", "last-modified", "etag"]) {
          const v = ures.headers[h];
          if (typeof v === "string") headers[h] = v;
        }
        res.writeHead(ures.statusCode ?? 502, headers);
        ures.pipe(res);
        ures.on("end", () => resolve());
        ures.on("error", reject);
      },
    );
    up.on("timeout", () => up.destroy(new Error("the pod did not answer in time")));
    up.on("error", (e) => reject(new ApiError(502, "InternalError", `error trying to reach pod: ${e.message}`)));
    req.pipe(up);
  });
}
