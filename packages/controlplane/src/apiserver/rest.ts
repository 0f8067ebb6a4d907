// REST verbs on resources: get, list (with Tables), watch (chunked JSON events), create, update,
// patch, delete, deletecollection, and the subresources.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RbacAuthorizer } from "../auth/rbac.ts";
import type { DeleteOptions, KubeObject, PatchType } from "../client.ts";
import { decodeKubernetesProtobuf, isProtobuf } from "../protobuf/decode.ts";
import type { RequestContext, UserInfo } from "./context.ts";
import { ApiError, badRequest, methodNotAllowed, toStatus } from "./errors.ts";
import type { NodeProxy } from "./nodeproxy.ts";
import { gvString, type ResourceDef } from "./registry.ts";
import type { Store } from "./store.ts";
import type { Subresources } from "./subresources.ts";
import { type IncludeObject, toTable } from "./tables/index.ts";
import { versionWarning } from "./versions.ts";

type Json = any;

export interface ResourceRequest {
  def: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
  watch: boolean;
  /** pods/proxy, services/proxy: the path after `/proxy`. */
  proxyPath?: string;
}

interface Deps {
  authorizer: RbacAuthorizer;
  store: Store;
  subs: Subresources;
  user: UserInfo;
  nodeProxy?: NodeProxy;
}

const MAX_BODY = 3 * 1024 * 1024;

async function readBody(req: IncomingMessage, raw = false): Promise<Json> {
  const ct = String(req.headers["content-type"] ?? "");
  if (ct.includes("cbor")) {
    throw new ApiError(
      415,
      "UnsupportedMediaType",
      "the body of the request was in an unknown format - accepted media types include: application/json, application/vnd.kubernetes.protobuf",
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new ApiError(413, "RequestEntityTooLarge", "the request body is too large");
    chunks.push(c as Buffer);
  }
  const bytes = Buffer.concat(chunks);
  if (raw) return bytes.toString("utf8");
  if (ct.includes("protobuf")) {
    if (!isProtobuf(bytes)) throw badRequest("the protobuf body does not start with the Kubernetes envelope");
    try {
      return decodeKubernetesProtobuf(bytes);
    } catch (e) {
      throw badRequest(`cannot decode the protobuf body: ${(e as Error).message}`);
    }
  }
  const text = bytes.toString("utf8");
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("the request body is not valid JSON (only JSON is accepted)");
  }
}

function context(deps: Deps, q: URLSearchParams, body?: Json, req?: IncomingMessage): RequestContext {
  const dry = q.getAll("dryRun");
  if (dry.some((d) => d !== "All"))
    throw badRequest(`unsupported dryRun value "${dry.find((d) => d !== "All")}"; supported values: "All"`);
  const fv = q.get("fieldValidation") ?? "Warn";
  if (!["Strict", "Warn", "Ignore"].includes(fv))
    throw badRequest(`fieldValidation must be one of Ignore, Warn or Strict, got "${fv}"`);
  // As upstream: the fieldManager parameter, else the User-Agent's product ("kubectl/v1.32.0 ..." → kubectl).
  const fieldManager = q.get("fieldManager") || String(req?.headers["user-agent"] ?? "").split("/")[0] || undefined;
  if (fieldManager && fieldManager.length > 128)
    throw badRequest(`fieldManager: Too long: may not be more than 128 bytes`);
  const force = q.get("force");
  if (force !== null && force !== "true" && force !== "false")
    throw badRequest(`force: Invalid value: "${force}": must be true or false`);
  return {
    user: deps.user,
    dryRun: dry.length > 0 || (Array.isArray(body?.dryRun) && body.dryRun.includes("All")),
    fieldValidation: fv as RequestContext["fieldValidation"],
    warnings: [],
    fieldManager,
    force: force === "true",
  };
}

function reply(res: ServerResponse, ctx: RequestContext | undefined, code: number, body: unknown): void {
  const headers: Record<string, string | string[]> = {
    "Content-Type": "application/json",
    "Cache-Control": "no-cache, private",
  };
  if (ctx?.warnings.length) headers.Warning = ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(JSON.stringify(body));
}

// JSON of watch-cache objects, which are never modified (a change replaces the object): a large
// LIST reuses each item's encoding instead of stringifying megabytes again.
const encoded = new WeakMap<object, string>();

function replyList(res: ServerResponse, list: { items: KubeObject[]; [k: string]: unknown }): void {
  const { items, ...head } = list;
  const parts: string[] = [];
  for (const o of items) {
    let s = encoded.get(o);
    if (s === undefined) {
      s = JSON.stringify(o);
      encoded.set(o, s);
    }
    parts.push(s);
  }
  res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
  res.end(`${JSON.stringify(head).slice(0, -1)},"items":[${parts.join(",")}]}`);
}

function wantsTable(req: IncomingMessage): boolean {
  return /as=Table/.test(String(req.headers.accept ?? ""));
}

function patchType(ct: string): PatchType | "apply" {
  if (ct.startsWith("application/json-patch+json")) return "json";
  if (ct.startsWith("application/merge-patch+json")) return "merge";
  if (ct.startsWith("application/strategic-merge-patch+json")) return "strategic";
  if (ct.startsWith("application/apply-patch")) return "apply";
  throw new ApiError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
  );
}

function listOpts(r: ResourceRequest, q: URLSearchParams) {
  const limit = Number(q.get("limit") ?? 0);
  return {
    namespace: r.namespace,
    labelSelector: q.get("labelSelector") ?? undefined,
    fieldSelector: q.get("fieldSelector") ?? undefined,
    limit: Number.isFinite(limit) && limit > 0 ? limit : undefined,
    continue: q.get("continue") ?? undefined,
    resourceVersion: q.get("resourceVersion") ?? undefined,
  };
}

export async function handleResource(
  deps: Deps,
  req: IncomingMessage,
  res: ServerResponse,
  r: ResourceRequest,
  q: URLSearchParams,
) {
  const { store, subs } = deps;
  const { def } = r;
  const method = req.method ?? "GET";
  const sub = r.subresource;
  if (sub === "portforward" || sub === "exec" || sub === "attach") {
    // Served on the HTTP server's "upgrade" event (portforward.ts); a plain request lands here.
    throw badRequest("Upgrade request required");
  }
  if (def.group === "authorization.k8s.io" || def.group === "authentication.k8s.io") {
    if (method !== "POST") throw methodNotAllowed();
    const body = await readBody(req);
    return reply(res, undefined, 201, review(deps, def, body ?? {}));
  }
  if (def.resource === "componentstatuses") {
    if (method !== "GET") throw methodNotAllowed();
    return componentStatuses(deps, req, res, r, q);
  }
  if (def.stored === false || sub === "log" || sub === "proxy") {
    if (!deps.nodeProxy) throw new ApiError(503, "ServiceUnavailable", "node proxy is not configured");
    if (method !== "GET" && sub !== "proxy") throw methodNotAllowed();
    return deps.nodeProxy.handle(req, res, r, q);
  }
  // A deprecated version of a custom resource warns on every request (the CRD's deprecationWarning).
  const deprecated = def.crd?.deprecationWarning ?? versionWarning(def, store.resources.minor);
  if (deprecated) res.setHeader("Warning", `299 - ${JSON.stringify(deprecated)}`);
  const include = (q.get("includeObject") ?? "Metadata") as IncludeObject;
  const table = wantsTable(req) && !sub;

  if (method === "GET" || method === "HEAD") {
    if (r.watch) return watch(deps, req, res, r, q, table, include);
    if (!r.name) {
      const list = await store.list(def, listOpts(r, q), true);
      if (table) return reply(res, undefined, 200, toTable(def, list.items, list, include));
      return replyList(res, {
        kind: `${def.kind}List`,
        apiVersion: gvString(def.group, def.version),
        metadata: { resourceVersion: list.resourceVersion, ...(list.continue ? { continue: list.continue } : {}) },
        items: list.items,
      });
    }
    if (sub === "scale") return reply(res, undefined, 200, await subs.getScale(def, r.namespace, r.name));
    const obj = await store.get(def, r.namespace, r.name);
    if (table)
      return reply(
        res,
        undefined,
        200,
        toTable(def, [obj], { resourceVersion: obj.metadata.resourceVersion }, include),
      );
    return reply(res, undefined, 200, obj);
  }

  if (method === "POST") {
    const body = await readBody(req);
    const ctx = context(deps, q, body, req);
    if (!body || typeof body !== "object") throw badRequest("the request body must be a JSON object");
    if (r.name && sub) return reply(res, ctx, 201, await subs.create(ctx, def, r.namespace, r.name, sub, body));
    if (r.name) throw methodNotAllowed();
    if (body.kind && body.kind !== def.kind) {
      throw badRequest(
        `the API version in the data (${body.apiVersion}) does not match the expected API version (${gvString(def.group, def.version)})`,
      );
    }
    const created = await store.create(ctx, def, body as KubeObject, r.namespace);
    return reply(res, ctx, 201, created);
  }

  if (method === "PUT") {
    if (!r.name) throw methodNotAllowed();
    const body = await readBody(req);
    const ctx = context(deps, q, body, req);
    if (!body || typeof body !== "object") throw badRequest("the request body must be a JSON object");
    if (sub === "scale") return reply(res, ctx, 200, await subs.updateScale(ctx, def, r.namespace, r.name, body));
    if (sub === "approval") return reply(res, ctx, 200, await subs.approval(ctx, def, r.name, body));
    if (sub === "finalize") return reply(res, ctx, 200, await subs.finalize(ctx, def, r.name, body));
    if (sub && sub !== "status") throw methodNotAllowed();
    return reply(
      res,
      ctx,
      200,
      await store.update(ctx, def, body as KubeObject, { subresource: sub, namespace: r.namespace, name: r.name }),
    );
  }

  if (method === "PATCH") {
    if (!r.name) throw methodNotAllowed();
    const type = patchType(String(req.headers["content-type"] ?? ""));
    const body = await readBody(req, type === "apply");
    const ctx = context(deps, q, undefined, req);
    if (type !== "apply" && q.has("force"))
      throw badRequest("force: Forbidden: may not be specified for non-apply patch");
    if (sub === "scale") {
      if (type === "apply")
        throw new ApiError(415, "UnsupportedMediaType", "server-side apply of the scale subresource is not supported");
      return reply(res, ctx, 200, await subs.patchScale(ctx, def, r.namespace, r.name, type, body));
    }
    if (def.crd && type === "strategic") {
      throw new ApiError(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
      );
    }
    const effectiveSub = sub === "approval" ? "status" : sub;
    return reply(res, ctx, 200, await store.patch(ctx, def, r.namespace, r.name, type, body, effectiveSub));
  }

  if (method === "DELETE") {
    const body = (await readBody(req)) ?? {};
    const ctx = context(deps, q, body, req);
    const opts: DeleteOptions = {
      propagationPolicy: body.propagationPolicy ?? q.get("propagationPolicy") ?? undefined,
      gracePeriodSeconds:
        body.gracePeriodSeconds ?? (q.has("gracePeriodSeconds") ? Number(q.get("gracePeriodSeconds")) : undefined),
      preconditions: body.preconditions,
      dryRun: ctx.dryRun,
    };
    if (body.orphanDependents === true || q.get("orphanDependents") === "true") opts.propagationPolicy ??= "Orphan";
    if (r.name) {
      const out = await store.delete(ctx, def, r.namespace, r.name, opts);
      return reply(res, ctx, 200, out);
    }
    const list = await store.list(def, listOpts(r, q));
    const deleted: KubeObject[] = [];
    for (const o of list.items) {
      try {
        deleted.push(await store.delete(ctx, def, o.metadata.namespace, o.metadata.name!, opts));
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
    return reply(res, ctx, 200, {
      kind: `${def.kind}List`,
      apiVersion: gvString(def.group, def.version),
      metadata: {},
      items: deleted,
    });
  }
  throw methodNotAllowed();
}

/** The deprecated ComponentStatus API: etcd is probed; the scheduler and controllers run in this process. */
async function componentStatuses(
  deps: Deps,
  req: IncomingMessage,
  res: ServerResponse,
  r: ResourceRequest,
  q: URLSearchParams,
) {
  let etcd = { type: "Healthy", status: "True", message: "ok" } as Json;
  try {
    await deps.store.storage.currentRevision();
  } catch (e) {
    etcd = { type: "Healthy", status: "False", error: (e as Error).message };
  }
  const ok = { type: "Healthy", status: "True", message: "ok" };
  const warn = { user: deps.user, warnings: ["v1 ComponentStatus is deprecated in v1.19+"] };
  const items = [
    ["etcd-0", etcd],
    ["controller-manager", ok],
    ["scheduler", ok],
  ].map(
    ([name, cond]) =>
      ({ kind: "ComponentStatus", apiVersion: "v1", metadata: { name }, conditions: [cond] }) as unknown as KubeObject,
  );
  if (r.name) {
    const one = items.find((i) => i.metadata.name === r.name);
    if (!one) throw new ApiError(404, "NotFound", `componentstatuses "${r.name}" not found`);
    return reply(
      res,
      warn,
      200,
      wantsTable(req) ? toTable(r.def, [one], {}, (q.get("includeObject") ?? "Metadata") as IncludeObject) : one,
    );
  }
  if (wantsTable(req))
    return reply(res, warn, 200, toTable(r.def, items, {}, (q.get("includeObject") ?? "Metadata") as IncludeObject));
  return reply(res, warn, 200, { kind: "ComponentStatusList", apiVersion: "v1", metadata: {}, items });
}

/** SelfSubjectReview (kubectl auth whoami) and (Self)SubjectAccessReview (kubectl auth can-i). */
function review(deps: Deps, def: ResourceDef, body: Json): Json {
  const apiVersion = gvString(def.group, def.version);
  if (def.resource === "selfsubjectreviews") {
    return {
      kind: def.kind,
      apiVersion,
      metadata: {},
      status: { userInfo: { username: deps.user.name, groups: deps.user.groups } },
    };
  }
  const spec = body.spec ?? {};
  let user = deps.user;
  if (def.resource === "subjectaccessreviews") {
    if (!deps.authorizer.authorize(deps.user, { verb: "create", group: def.group, resource: def.resource })) {
      throw new ApiError(
        403,
        "Forbidden",
        `subjectaccessreviews.authorization.k8s.io is forbidden: User "${deps.user.name}" cannot create resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope`,
      );
    }
    user = { name: spec.user ?? "", groups: spec.groups ?? [] };
  }
  const ra = spec.resourceAttributes;
  const nra = spec.nonResourceAttributes;
  const attrs = ra
    ? {
        verb: ra.verb ?? "get",
        group: ra.group ?? "",
        resource: ra.resource ?? "",
        subresource: ra.subresource || undefined,
        namespace: ra.namespace || undefined,
        name: ra.name || undefined,
      }
    : { verb: nra?.verb ?? "get", path: nra?.path ?? "/" };
  const allowed = deps.authorizer.authorize(user, attrs);
  return { kind: def.kind, apiVersion, metadata: {}, spec, status: { allowed, ...(allowed ? {} : { reason: "" }) } };
}

function watch(
  deps: Deps,
  req: IncomingMessage,
  res: ServerResponse,
  r: ResourceRequest,
  q: URLSearchParams,
  table: boolean,
  include: IncludeObject,
): Promise<void> {
  const { store } = deps;
  const opts = listOpts(r, q);
  if (r.name) opts.fieldSelector = [opts.fieldSelector, `metadata.name=${r.name}`].filter(Boolean).join(",");
  const bookmarks = q.get("allowWatchBookmarks") === "true";
  const timeout = Number(q.get("timeoutSeconds") ?? 0);
  let first = true;
  const fmt = (type: string, o: KubeObject) => {
    let object: unknown = o;
    if (table && type !== "BOOKMARK" && type !== "ERROR") {
      object = toTable(r.def, [o], { resourceVersion: o.metadata.resourceVersion }, include, first);
      first = false;
    }
    return `${JSON.stringify({ type, object })}\n`;
  };
  return new Promise<void>((resolve) => {
    let lastRv = opts.resourceVersion ?? "";
    let handle: { stop(): void } | undefined;
    const timers: NodeJS.Timeout[] = [];
    let closed = false;
    const write = (chunk: string) => {
      if (!closed && !res.writableEnded) res.write(chunk);
    };
    const finish = () => {
      closed = true;
      handle?.stop();
      for (const t of timers) clearTimeout(t);
      if (!res.writableEnded) res.end();
      resolve();
    };
    req.on("close", finish);
    res.writeHead(200, {
      "Content-Type": "application/json",
      "Cache-Control": "no-cache, private",
      "Transfer-Encoding": "chunked",
    });
    res.flushHeaders();
    const start = async () => {
      let from = opts.resourceVersion;
      if (!from || from === "0") {
        // Upstream semantics: synthetic ADDED events for the current state, then changes.
        const list = await store.list(r.def, { ...opts, limit: undefined, continue: undefined });
        if (closed) return;
        for (const o of list.items) write(fmt("ADDED", o));
        from = list.resourceVersion;
        lastRv = from;
      }
      if (closed) return;
      handle = store.watch(
        r.def,
        { ...opts, resourceVersion: from },
        (e) => {
          lastRv = e.object.metadata.resourceVersion ?? lastRv;
          write(fmt(e.type, e.object));
        },
        (err) => {
          write(`${JSON.stringify({ type: "ERROR", object: toStatus(err) })}\n`);
          finish();
        },
      );
    };
    start().catch((e) => {
      const err = e instanceof ApiError ? e : new ApiError(500, "InternalError", String(e?.message ?? e));
      write(`${JSON.stringify({ type: "ERROR", object: toStatus(err) })}\n`);
      finish();
    });
    if (bookmarks) {
      const t = setInterval(() => {
        if (!lastRv) return;
        write(
          `${JSON.stringify({ type: "BOOKMARK", object: { kind: r.def.kind, apiVersion: gvString(r.def.group, r.def.version), metadata: { resourceVersion: lastRv } } })}\n`,
        );
      }, 30_000);
      timers.push(t);
    }
    const maxSeconds = timeout > 0 ? timeout : 1800 + Math.floor(Math.random() * 1800);
    timers.push(setTimeout(finish, maxSeconds * 1000));
  });
}
