// The HTTP face of the API server: authentication, RBAC, non-resource endpoints, discovery,
// OpenAPI, and the REST verbs on resources (in rest.ts).
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Authenticator } from "../auth/authn.ts";
import { RbacAuthorizer } from "../auth/rbac.ts";
import { openapiV2, openapiV3, v3GroupVersions } from "../openapi/index.ts";
import { encodeOpenApiV2 } from "../protobuf/openapiv2.ts";
import { LOOPBACK_USER, type UserInfo } from "./context.ts";
import { aggregated, apiGroup, apiGroupList, apiResourceList, apiVersions } from "./discovery.ts";
import { ApiError, asApiError, forbidden, toStatus, unauthorized } from "./errors.ts";
import type { NodeProxy } from "./nodeproxy.ts";
import { findResource, type ResourceDef } from "./registry.ts";
import { handleResource, type ResourceRequest } from "./rest.ts";
import type { Store } from "./store.ts";
import type { Subresources } from "./subresources.ts";

export interface HttpOptions {
  /** gitVersion served at /version, e.g. v1.33.1 */
  version?: string;
  /** Without one, every request runs as system:apiserver (in-process tests only). */
  authenticator?: Authenticator;
  nodeProxy?: NodeProxy;
  /** Also log 4xx answers (method, path, reason; never bodies or query strings). */
  logClientErrors?: boolean;
}

export function send(res: ServerResponse, code: number, body: unknown, contentType = "application/json"): true {
  if (res.headersSent) {
    res.end();
    return true;
  }
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(code, { "Content-Type": contentType, "Cache-Control": "no-cache, private" });
  res.end(text);
  return true;
}

export function sendError(res: ServerResponse, e: unknown): void {
  const err = asApiError(e);
  send(res, err.code, toStatus(err));
}

function versionInfo(v: string) {
  const m = /^v(\d+)\.(\d+)/.exec(v);
  return {
    major: m?.[1] ?? "1",
    minor: m?.[2] ?? "33",
    gitVersion: v,
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2026-01-01T00:00:00Z",
    goVersion: "go1.24.0",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

const AGG_RE = /as=APIGroupDiscoveryList/;

function discoveryAccept(accept: string): "apidiscovery.k8s.io/v2" | "apidiscovery.k8s.io/v2beta1" | undefined {
  if (!AGG_RE.test(accept)) return undefined;
  for (const part of accept.split(",")) {
    if (!AGG_RE.test(part)) continue;
    if (/v=v2beta1/.test(part)) return "apidiscovery.k8s.io/v2beta1";
    if (/v=v2(;|$)/.test(part.replace(/\s/g, ""))) return "apidiscovery.k8s.io/v2";
  }
  return undefined;
}

export function createHttpHandler(
  opts: HttpOptions & { store: Store; subs: Subresources; authorizer: RbacAuthorizer },
) {
  const version = opts.version ?? "v1.33.1";
  const served = opts.store.resources;
  let v2pb: Buffer | undefined;
  const debug = opts.logClientErrors === true;

  async function nonResource(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    accept: string,
  ): Promise<boolean> {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    if (path === "/version" || path === "/version/") return send(res, 200, versionInfo(version));
    if (/^\/(healthz|livez|readyz)(\/.*)?$/.test(path)) return send(res, 200, "ok", "text/plain; charset=utf-8");
    if (path === "/api" || path === "/apis") {
      const agg = discoveryAccept(accept);
      if (agg) {
        const ct = `application/json;g=apidiscovery.k8s.io;v=${agg.endsWith("v2beta1") ? "v2beta1" : "v2"};as=APIGroupDiscoveryList`;
        send(res, 200, aggregated(path === "/api", agg, served.list()), ct);
      } else send(res, 200, path === "/api" ? apiVersions() : apiGroupList(served.list()));
      return true;
    }
    let m = /^\/api\/(v1)\/?$/.exec(path) ?? /^\/apis\/([^/]+)\/([^/]+)\/?$/.exec(path);
    if (m) {
      const [g, v] = path.startsWith("/api/") ? ["", m[1]!] : [m[1]!, m[2]!];
      const list = apiResourceList(g, v, served.list());
      if (!list) return false;
      return send(res, 200, list);
    }
    m = /^\/apis\/([^/]+)\/?$/.exec(path);
    if (m) {
      const g = apiGroup(m[1]!, served.list());
      if (!g) return false;
      return send(res, 200, g);
    }
    if (path === "/openapi/v2") {
      if (/protobuf/.test(accept) && !/application\/json/.test(accept)) {
        v2pb ??= encodeOpenApiV2(openapiV2());
        res.writeHead(200, { "Content-Type": "application/octet-stream" });
        res.end(v2pb);
        return true;
      }
      return send(res, 200, openapiV2());
    }
    if (path === "/openapi/v3" || path === "/openapi/v3/") {
      const paths: Record<string, { serverRelativeURL: string }> = {};
      for (const gv of v3GroupVersions()) {
        const doc = openapiV3(gv);
        if (doc) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${doc.hash}` };
      }
      for (const gv of served.customGroupVersions()) {
        const doc = served.customOpenApiV3(gv);
        if (doc) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${doc.hash}` };
      }
      return send(res, 200, { paths });
    }
    m = /^\/openapi\/v3\/(.+)$/.exec(path);
    if (m) {
      const doc = served.customOpenApiV3(m[1]!) ?? openapiV3(m[1]!);
      if (!doc) return false;
      res.writeHead(200, {
        "Content-Type": "application/json",
        Etag: `"${doc.hash}"`,
        "Cache-Control": "public, immutable",
      });
      res.end(doc.body);
      return true;
    }
    return false;
  }

  async function authorizeNonResource(user: UserInfo, req: IncomingMessage, path: string): Promise<void> {
    const verb = (req.method ?? "GET").toLowerCase();
    if (!opts.authorizer.authorize(user, { verb, path })) {
      throw new ApiError(403, "Forbidden", `forbidden: ${RbacAuthorizer.message(user, { verb, path })}`);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader("Audit-Id", randomUUID());
    const url = new URL(req.url ?? "/", "http://local");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const accept = String(req.headers.accept ?? "");
    let user: UserInfo = LOOPBACK_USER;
    if (opts.authenticator) {
      const u = await opts.authenticator.authenticate(req);
      if (!u) throw unauthorized();
      user = u;
    }
    if (!path.startsWith("/api/") && !path.startsWith("/apis/") && !(path === "/api" || path === "/apis")) {
      await authorizeNonResource(user, req, path);
      if (await nonResource(req, res, path, accept)) return;
      throw new ApiError(404, "NotFound", "the server could not find the requested resource");
    }
    const rr = parseResourcePath(path, url.searchParams, (g, v, r) => served.find(g, v, r));
    if (!rr) {
      if (opts.authenticator && !opts.authorizer.authorize(user, { verb: "get", path })) {
        throw new ApiError(403, "Forbidden", `forbidden: ${RbacAuthorizer.message(user, { verb: "get", path })}`);
      }
      if (await nonResource(req, res, path, accept)) return;
      throw new ApiError(404, "NotFound", "the server could not find the requested resource");
    }
    const verb = verbOf(req.method ?? "GET", rr);
    const attrs = {
      verb,
      group: rr.def.group,
      resource: rr.def.resource,
      subresource: rr.subresource,
      namespace: rr.namespace,
      name: rr.name,
    };
    if (!opts.authorizer.authorize(user, attrs)) {
      throw forbidden(rr.def, rr.name ?? "", RbacAuthorizer.message(user, attrs));
    }
    await handleResource({ ...opts, store: opts.store, subs: opts.subs, user }, req, res, rr, url.searchParams);
  }

  return {
    handle(req: IncomingMessage, res: ServerResponse): void {
      handle(req, res).catch((e) => {
        const err = asApiError(e);
        if (!(e instanceof ApiError) || (debug && err.code >= 400)) {
          // Paths and reasons only: never bodies, headers or query strings (they may hold secrets).
          const path = (req.url ?? "").split("?")[0];
          console.error(
            JSON.stringify({
              event: "apiserver.error",
              method: req.method,
              path,
              code: err.code,
              message: err.message,
            }),
          );
        }
        sendError(res, e);
      });
    },
    stop() {
      opts.authenticator?.stop();
    },
  };
}

function verbOf(method: string, rr: ResourceRequest): string {
  switch (method) {
    case "GET":
    case "HEAD":
      if (rr.watch) return "watch";
      return rr.name ? "get" : "list";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return rr.name ? "delete" : "deletecollection";
    default:
      return method.toLowerCase();
  }
}

export function parseResourcePath(
  path: string,
  q: URLSearchParams,
  find: (group: string, version: string, resource: string) => ResourceDef | undefined = findResource,
): ResourceRequest | undefined {
  const segs = path.split("/").filter(Boolean).map(decodeURIComponent);
  let group = "";
  let version: string;
  let rest: string[];
  if (segs[0] === "api") {
    if (segs.length < 3) return undefined;
    version = segs[1]!;
    rest = segs.slice(2);
  } else {
    if (segs.length < 4) return undefined;
    group = segs[1]!;
    version = segs[2]!;
    rest = segs.slice(3);
  }
  let watch = q.get("watch") === "true" || q.get("watch") === "1";
  if (rest[0] === "watch") {
    watch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3) {
    const inner = find(group, version, rest[2]!);
    if (inner?.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  const [resource, name, subresource, ...extra] = rest;
  // pods/proxy and services/proxy take a path after the subresource.
  if (!resource || (extra.length && subresource !== "proxy")) return undefined;
  const def = find(group, version, resource);
  if (!def) return undefined;
  if (subresource && !def.subresources?.includes(subresource)) return undefined;
  const proxyPath = subresource === "proxy" ? `/${extra.map(encodeURIComponent).join("/")}` : undefined;
  return { def, namespace: def.namespaced ? namespace : undefined, name, subresource, watch, proxyPath };
}
