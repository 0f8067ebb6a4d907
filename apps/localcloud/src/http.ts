// localcloud's JSON HTTP API. Bearer-token protected (except /healthz and /openapi.json).
import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { z } from "zod";
import type { Cloud } from "./cloud.ts";
import { CloudError } from "./errors.ts";
import { describeHosts, setHostState, setVmCreateFault } from "./hosts.ts";
import { openApiDocument } from "./openapi.ts";
import { listUsageRecords } from "./usage.ts";

const ZId = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "must be a lower-case DNS label (a-z, 0-9, -)");
const ZLabels = z.record(z.string(), z.string());
export const ZVmInput = z.object({
  id: ZId,
  name: ZId.optional(),
  flavor: z.string().min(1),
  zone: z.string().optional(),
  controlPlaneId: ZId.optional(),
  labels: ZLabels.optional(),
});
export const ZControlPlaneInput = z.object({
  id: ZId,
  name: z.string().min(1).max(63).optional(),
  version: z
    .string()
    .regex(/^v1\.\d+\.\d+$/, "must look like v1.32.0")
    .optional(),
  serviceCidr: z.string().optional(),
  clusterCidr: z.string().optional(),
  /** Three API-server processes behind a TCP balancer on the endpoint (leader-elected controllers). */
  highAvailability: z.boolean().optional(),
});
/** PATCH /v1/controlplanes/{id}: in-place upgrade (processes restarted on the new version) and HA on/off. */
export const ZControlPlaneUpdate = z.object({
  version: z
    .string()
    .regex(/^v1\.\d+\.\d+$/, "must look like v1.32.0")
    .optional(),
  highAvailability: z.boolean().optional(),
});
export const ZVolumeInput = z.object({
  id: ZId,
  name: z.string().optional(),
  sizeGiB: z.number().int().min(1).max(16384),
  zone: z.string().optional(),
  controlPlaneId: ZId.optional(),
});
export const ZLoadBalancerInput = z.object({
  id: ZId,
  name: z.string().optional(),
  controlPlaneId: ZId.optional(),
  ports: z
    .array(z.object({ port: z.number().int(), targetPort: z.number().int(), protocol: z.string().default("TCP") }))
    .optional(),
});
export const ZCredentialsInput = z.object({
  user: z.string().min(1).max(256),
  groups: z.array(z.string().min(1)).optional(),
  ttlSeconds: z
    .number()
    .int()
    .min(60)
    .max(10 * 365 * 86_400)
    .optional(),
});
const ZRevokeInput = z.object({ serialNumber: z.string().regex(/^[0-9a-fA-F]+$/, "must be hexadecimal") });
const ZAttachInput = z.object({ vmId: ZId });
export const ZHostStateInput = z.object({ state: z.enum(["up", "down", "draining"]) });

type Handler = (ctx: { params: string[]; body: unknown; query: URLSearchParams }) => Promise<[number, unknown]>;

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue?.path.join(".") || "body";
    throw new CloudError(422, "Invalid", `${field}: ${issue?.message ?? "invalid"}`);
  }
  return r.data;
}

function withId(body: unknown, id: string): unknown {
  return typeof body === "object" && body !== null ? { ...body, id } : { id };
}

export function routes(cloud: Cloud): Array<[string, RegExp, Handler]> {
  const created = (r: { created: boolean }, value: unknown): [number, unknown] => [r.created ? 201 : 200, value];
  return [
    ["GET", /^\/v1\/regions$/, async () => [200, { items: cloud.listRegions() }]],
    ["GET", /^\/v1\/flavors$/, async () => [200, { items: cloud.listFlavors() }]],
    ["GET", /^\/v1\/hosts$/, async () => [200, { items: cloud.listHosts() }]],
    [
      "POST",
      /^\/v1\/hosts\/([^/]+)\/(down|up)$/,
      async ({ params }) => [200, await cloud.setHostUp(params[0] ?? "", params[1] === "up")],
    ],
    // Operator host states and fault injection (hosts.ts).
    ["GET", /^\/v1\/hosts\/detail$/, async () => [200, { items: describeHosts(cloud) }]],
    [
      "PUT",
      /^\/v1\/hosts\/([^/]+)\/state$/,
      async ({ params, body }) => [200, await setHostState(cloud, params[0] ?? "", parse(ZHostStateInput, body).state)],
    ],
    [
      "PUT",
      /^\/v1\/faults\/vm-create\/([^/]+)$/,
      async ({ params }) => [200, setVmCreateFault(cloud, params[0] ?? "", true)],
    ],
    [
      "DELETE",
      /^\/v1\/faults\/vm-create\/([^/]+)$/,
      async ({ params }) => [200, setVmCreateFault(cloud, params[0] ?? "", false)],
    ],
    // Control planes
    ["GET", /^\/v1\/controlplanes$/, async () => [200, { items: cloud.listControlPlanes() }]],
    [
      "POST",
      /^\/v1\/controlplanes$/,
      async ({ body }) => {
        const r = await cloud.createControlPlane(parse(ZControlPlaneInput, body));
        return created(r, r.controlPlane);
      },
    ],
    [
      "PUT",
      /^\/v1\/controlplanes\/([^/]+)$/,
      async ({ params, body }) => {
        const r = await cloud.createControlPlane(parse(ZControlPlaneInput, withId(body, params[0] ?? "")));
        return created(r, r.controlPlane);
      },
    ],
    [
      "GET",
      /^\/v1\/controlplanes\/([^/]+)$/,
      async ({ params, query }) => {
        const id = params[0] ?? "";
        const cp = cloud.getControlPlane(id);
        // ?waitReadyMs=N (≤ 20 s): a long poll, answered as soon as an API server is up.
        const wait = Math.min(Math.max(Number(query.get("waitReadyMs")) || 0, 0), 20_000);
        if (wait) await cloud.supervisor.waitReady(id, wait).catch(() => undefined);
        return [200, cloud.describeControlPlane(cloud.state.doc.controlPlanes[id] ?? cp)];
      },
    ],
    [
      "PATCH",
      /^\/v1\/controlplanes\/([^/]+)$/,
      async ({ params, body }) => [
        200,
        await cloud.updateControlPlane(params[0] ?? "", parse(ZControlPlaneUpdate, body)),
      ],
    ],
    [
      "DELETE",
      /^\/v1\/controlplanes\/([^/]+)$/,
      async ({ params }) => {
        const deleted = await cloud.deleteControlPlane(params[0] ?? "");
        return [
          deleted ? 200 : 404,
          deleted ? { deleted: true } : { code: "NotFound", message: `control plane ${params[0]} not found` },
        ];
      },
    ],
    [
      "POST",
      /^\/v1\/controlplanes\/([^/]+)\/credentials$/,
      async ({ params, body }) => [201, await cloud.issueCredentials(params[0] ?? "", parse(ZCredentialsInput, body))],
    ],
    [
      "POST",
      /^\/v1\/controlplanes\/([^/]+)\/revocations$/,
      async ({ params, body }) => [
        200,
        cloud.revokeCredential(params[0] ?? "", parse(ZRevokeInput, body).serialNumber),
      ],
    ],
    // VMs
    [
      "GET",
      /^\/v1\/vms$/,
      async ({ query }) => [
        200,
        { items: cloud.listVms({ controlPlaneId: query.get("controlPlaneId") ?? undefined }) },
      ],
    ],
    [
      "POST",
      /^\/v1\/vms$/,
      async ({ body }) => {
        const r = cloud.createVm(parse(ZVmInput, body));
        return created(r, r.vm);
      },
    ],
    [
      "PUT",
      /^\/v1\/vms\/([^/]+)$/,
      async ({ params, body }) => {
        const r = cloud.createVm(parse(ZVmInput, withId(body, params[0] ?? "")));
        return created(r, r.vm);
      },
    ],
    ["GET", /^\/v1\/vms\/([^/]+)$/, async ({ params }) => [200, cloud.describeVm(cloud.getVm(params[0] ?? ""))]],
    [
      "POST",
      /^\/v1\/vms\/([^/]+)\/(stop|start)$/,
      async ({ params }) => [200, await cloud.vmAction(params[0] ?? "", params[1] as "stop" | "start")],
    ],
    [
      "DELETE",
      /^\/v1\/vms\/([^/]+)$/,
      async ({ params }) => {
        const deleted = await cloud.deleteVm(params[0] ?? "");
        return [
          deleted ? 200 : 404,
          deleted ? { deleted: true } : { code: "NotFound", message: `VM ${params[0]} not found` },
        ];
      },
    ],
    // Volumes
    ["GET", /^\/v1\/volumes$/, async () => [200, { items: cloud.resources.listVolumes() }]],
    [
      "POST",
      /^\/v1\/volumes$/,
      async ({ body }) => {
        const r = cloud.resources.createVolume(parse(ZVolumeInput, body));
        return created(r, r.volume);
      },
    ],
    [
      "PUT",
      /^\/v1\/volumes\/([^/]+)$/,
      async ({ params, body }) => {
        const r = cloud.resources.createVolume(parse(ZVolumeInput, withId(body, params[0] ?? "")));
        return created(r, r.volume);
      },
    ],
    ["GET", /^\/v1\/volumes\/([^/]+)$/, async ({ params }) => [200, cloud.resources.getVolume(params[0] ?? "")]],
    [
      "POST",
      /^\/v1\/volumes\/([^/]+)\/attach$/,
      async ({ params, body }) => [200, cloud.resources.attachVolume(params[0] ?? "", parse(ZAttachInput, body).vmId)],
    ],
    [
      "POST",
      /^\/v1\/volumes\/([^/]+)\/detach$/,
      async ({ params }) => [200, cloud.resources.attachVolume(params[0] ?? "", undefined)],
    ],
    [
      "DELETE",
      /^\/v1\/volumes\/([^/]+)$/,
      async ({ params }) => {
        const deleted = cloud.resources.deleteVolume(params[0] ?? "");
        return [
          deleted ? 200 : 404,
          deleted ? { deleted: true } : { code: "NotFound", message: `volume ${params[0]} not found` },
        ];
      },
    ],
    // Usage records (metering fills late or missed windows from them)
    [
      "GET",
      /^\/v1\/usage-records$/,
      async ({ query }) => {
        const since = query.get("since");
        if (since && Number.isNaN(Date.parse(since)))
          throw new CloudError(422, "Invalid", "since: must be an ISO 8601 date-time");
        const items = listUsageRecords(cloud.state.doc, {
          controlPlaneId: query.get("controlPlaneId") ?? undefined,
          since: since ? new Date(since) : undefined,
        });
        return [200, { items }];
      },
    ],
    // Load balancers
    ["GET", /^\/v1\/loadbalancers$/, async () => [200, { items: cloud.resources.listLoadBalancers() }]],
    [
      "POST",
      /^\/v1\/loadbalancers$/,
      async ({ body }) => {
        const r = cloud.resources.createLoadBalancer(parse(ZLoadBalancerInput, body));
        cloud.traffic.syncLoadBalancers(cloud.resources.listLoadBalancers());
        return created(r, r.loadBalancer);
      },
    ],
    [
      "PUT",
      /^\/v1\/loadbalancers\/([^/]+)$/,
      async ({ params, body }) => {
        const r = cloud.resources.createLoadBalancer(parse(ZLoadBalancerInput, withId(body, params[0] ?? "")));
        // One with a controlPlaneId forwards to that cluster's nodes (its targetPorts are node ports).
        cloud.traffic.syncLoadBalancers(cloud.resources.listLoadBalancers());
        return created(r, r.loadBalancer);
      },
    ],
    [
      "DELETE",
      /^\/v1\/loadbalancers\/([^/]+)$/,
      async ({ params }) => {
        const deleted = cloud.resources.deleteLoadBalancer(params[0] ?? "");
        cloud.traffic.syncLoadBalancers(cloud.resources.listLoadBalancers());
        return [
          deleted ? 200 : 404,
          deleted ? { deleted: true } : { code: "NotFound", message: `load balancer ${params[0]} not found` },
        ];
      },
    ],
  ];
}

function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return true;
  const header = req.headers.authorization ?? "";
  const given = Buffer.from(header.startsWith("Bearer ") ? header.slice(7) : "");
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 1 << 20) throw new CloudError(413, "TooLarge", "request body is larger than 1 MiB");
    chunks.push(c as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new CloudError(400, "BadRequest", "request body is not valid JSON");
  }
}

export function createApiServer(
  cloud: Cloud,
  token: string | undefined,
  log: (m: string, f?: Record<string, unknown>) => void,
): Server {
  const table = routes(cloud);
  return createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? "/", "http://localcloud");
    if (url.pathname === "/healthz") return send(200, { status: "ok" });
    if (url.pathname === "/openapi.json") return send(200, openApiDocument());
    if (!authorized(req, token))
      return send(401, { code: "Unauthorized", message: "a valid bearer token is required" });
    const pathMatches = table.filter(([, re]) => re.test(url.pathname));
    const route = pathMatches.find(([m]) => m === req.method);
    if (!route) {
      return pathMatches.length > 0
        ? send(405, { code: "MethodNotAllowed", message: `${req.method} is not allowed on ${url.pathname}` })
        : send(404, { code: "NotFound", message: `no route for ${url.pathname}` });
    }
    try {
      const params = (route[1].exec(url.pathname) ?? []).slice(1).map((p) => decodeURIComponent(p ?? ""));
      const body =
        req.method === "POST" || req.method === "PUT" || req.method === "PATCH" ? await readBody(req) : undefined;
      const [status, out] = await route[2]({ params, body, query: url.searchParams });
      send(status, out);
    } catch (err) {
      if (err instanceof CloudError) return send(err.status, { code: err.code, message: err.message });
      log("request failed", { method: req.method, path: url.pathname, error: (err as Error).message });
      send(500, { code: "Internal", message: "internal error" });
    }
  });
}
