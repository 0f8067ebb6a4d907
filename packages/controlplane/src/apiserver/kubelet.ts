// Requests answered by node agents: pods/log (streamed through) and the metrics.k8s.io API
// (served as metrics-server would, from each Ready node's /stats/summary).
import type { IncomingMessage, ServerResponse } from "node:http";
import { request } from "node:https";
import type { KubeObject } from "../client.ts";
import { ApiError, badRequest, notFound, toStatus } from "./errors.ts";
import type { NodeProxy } from "./nodeproxy.ts";
import { proxyToPod } from "./proxy.ts";
import { findResource } from "./registry.ts";
import type { ResourceRequest } from "./rest.ts";
import { makeFilter } from "./selectors.ts";
import type { Store } from "./store.ts";

type Json = any;
const PODS = findResource("", "v1", "pods")!;
const NODES = findResource("", "v1", "nodes")!;
const MGV = "metrics.k8s.io/v1beta1";

export interface KubeletClientTls {
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

export class KubeletProxy implements NodeProxy {
  store?: Store;
  constructor(private readonly tls: KubeletClientTls) {}

  private endpoint(node: Json): { host: string; port: number } {
    const host = (node.status?.addresses ?? []).find((a: Json) => a.type === "InternalIP")?.address;
    const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
    if (!host || !port)
      throw new ApiError(503, "ServiceUnavailable", `node "${node.metadata.name}" has no kubelet endpoint`);
    return { host, port };
  }

  private get(node: Json, path: string, timeoutMs?: number): Promise<IncomingMessage> {
    const { host, port } = this.endpoint(node);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host,
          port,
          path,
          method: "GET",
          ca: this.tls.caCertPem,
          cert: this.tls.certPem,
          key: this.tls.keyPem,
          checkServerIdentity: () => undefined,
          timeout: timeoutMs,
        },
        resolve,
      );
      req.on("timeout", () => req.destroy(new Error("kubelet request timed out")));
      req.on("error", reject);
      req.end();
    });
  }

  async handle(req: IncomingMessage, res: ServerResponse, r: ResourceRequest, q: URLSearchParams): Promise<void> {
    if (!this.store) throw new ApiError(503, "ServiceUnavailable", "node proxy is not ready");
    if (r.subresource === "log") return this.logs(req, res, r, q);
    if (r.subresource === "proxy") return proxyToPod(this.store, this.tls, req, res, r, q);
    return this.metrics(res, r, q);
  }

  private async logs(req: IncomingMessage, res: ServerResponse, r: ResourceRequest, q: URLSearchParams): Promise<void> {
    const pod = (await this.store!.get(PODS, r.namespace, r.name!)) as Json;
    const names: string[] = (pod.spec?.containers ?? []).map((c: Json) => c.name);
    let container = q.get("container");
    if (!container) {
      if (names.length !== 1)
        throw badRequest(
          `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(" ")}]`,
        );
      container = names[0]!;
    } else if (
      !names.includes(container) &&
      !(pod.spec?.initContainers ?? []).some((c: Json) => c.name === container)
    ) {
      throw badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
    }
    if (!pod.spec?.nodeName) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
    const node = await this.store!.get(NODES, undefined, pod.spec.nodeName);
    const params = new URLSearchParams();
    for (const k of ["tailLines", "follow", "previous", "timestamps", "sinceSeconds", "limitBytes"]) {
      const v = q.get(k);
      if (v !== null) params.set(k, v);
    }
    const path = `/containerLogs/${encodeURIComponent(r.namespace!)}/${encodeURIComponent(r.name!)}/${encodeURIComponent(container)}?${params}`;
    const up = await this.get(node, path).catch((e) => {
      throw new ApiError(502, "InternalError", `Get logs from node ${pod.spec.nodeName}: ${e.message}`);
    });
    if ((up.statusCode ?? 500) >= 400) {
      const chunks: Buffer[] = [];
      for await (const c of up) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString("utf8").slice(0, 2000);
      let msg = text;
      try {
        msg = JSON.parse(text).message ?? text;
      } catch {}
      const code = up.statusCode === 404 ? 404 : 400;
      throw new ApiError(
        code,
        code === 404 ? "NotFound" : "BadRequest",
        msg || `container logs unavailable (${up.statusCode})`,
      );
    }
    res.writeHead(200, { "Content-Type": "text/plain", "Cache-Control": "no-cache, private" });
    req.on("close", () => up.destroy());
    up.on("error", () => res.end());
    up.pipe(res);
  }

  private async summary(node: Json): Promise<Json | undefined> {
    try {
      const up = await this.get(node, "/stats/summary", 5000);
      const chunks: Buffer[] = [];
      for await (const c of up) chunks.push(c as Buffer);
      if ((up.statusCode ?? 500) >= 400) return undefined;
      return JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return undefined;
    }
  }

  private async readyNodes(): Promise<Json[]> {
    const nodes = (await this.store!.list(NODES)).items as Json[];
    return nodes.filter((n) =>
      (n.status?.conditions ?? []).some((c: Json) => c.type === "Ready" && c.status === "True"),
    );
  }

  /** metrics.k8s.io PodMetrics of a namespace (the HPA controller reads them in-process). */
  async podMetrics(namespace: string | undefined, labelSelector?: string): Promise<Json[]> {
    if (!this.store) return [];
    const nodes = await this.readyNodes();
    const summaries = await Promise.all(nodes.map(async (n) => ({ node: n, s: await this.summary(n) })));
    return this.podMetricsFrom(summaries, namespace, makeFilter(labelSelector, undefined));
  }

  private async podMetricsFrom(
    summaries: { s: Json }[],
    namespace: string | undefined,
    filter: ReturnType<typeof makeFilter>,
    name?: string,
  ): Promise<Json[]> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const usage = (cpu: Json, mem: Json) => ({
      cpu: `${Math.round(cpu?.usageNanoCores ?? 0)}n`,
      memory: `${Math.round((mem?.workingSetBytes ?? 0) / 1024)}Ki`,
    });
    const pods = (await this.store!.list(PODS, { namespace })).items as Json[];
    const byKey = new Map(pods.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
    const items: Json[] = [];
    for (const { s } of summaries) {
      for (const p of s?.pods ?? []) {
        const ref = p.podRef ?? {};
        const pod = byKey.get(`${ref.namespace}/${ref.name}`);
        if (!pod || (namespace && ref.namespace !== namespace) || (name && ref.name !== name)) continue;
        if (filter && !filter(pod)) continue;
        items.push({
          kind: "PodMetrics",
          apiVersion: MGV,
          metadata: { name: ref.name, namespace: ref.namespace, creationTimestamp: now, labels: pod.metadata.labels },
          timestamp: now,
          window: "10s",
          containers: (p.containers ?? []).map((c: Json) => ({ name: c.name, usage: usage(c.cpu, c.memory) })),
        });
      }
    }
    return items;
  }

  private async metrics(res: ServerResponse, r: ResourceRequest, q: URLSearchParams): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const usage = (cpu: Json, mem: Json) => ({
      cpu: `${Math.round(cpu?.usageNanoCores ?? 0)}n`,
      memory: `${Math.round((mem?.workingSetBytes ?? 0) / 1024)}Ki`,
    });
    const filter = makeFilter(q.get("labelSelector") ?? undefined, q.get("fieldSelector") ?? undefined);
    const nodes = await this.readyNodes();
    const summaries = await Promise.all(nodes.map(async (n) => ({ node: n, s: await this.summary(n) })));
    const send = (body: unknown) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (r.def.resource === "nodes") {
      const items = summaries
        .filter(
          (x) => x.s?.node && (!r.name || x.node.metadata.name === r.name) && (!filter || filter(x.node as KubeObject)),
        )
        .map((x) => ({
          kind: "NodeMetrics",
          apiVersion: MGV,
          metadata: { name: x.node.metadata.name, creationTimestamp: now, labels: x.node.metadata.labels },
          timestamp: now,
          window: "10s",
          usage: usage(x.s.node.cpu, x.s.node.memory),
        }));
      if (r.name) {
        if (!items[0]) throw notFound({ group: "metrics.k8s.io", resource: "nodes" }, r.name);
        return send(items[0]);
      }
      return send({ kind: "NodeMetricsList", apiVersion: MGV, metadata: {}, items });
    }
    const items = await this.podMetricsFrom(summaries, r.namespace, filter, r.name);
    if (r.name) {
      if (!items[0]) throw notFound({ group: "metrics.k8s.io", resource: "pods" }, r.name);
      return send(items[0]);
    }
    return send({ kind: "PodMetricsList", apiVersion: MGV, metadata: {}, items });
  }
}

export { toStatus };
