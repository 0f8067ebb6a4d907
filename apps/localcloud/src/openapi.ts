// The OpenAPI document of localcloud's API, built from the same zod schemas the routes validate.
import { z } from "zod";
import {
  ZControlPlaneInput,
  ZControlPlaneUpdate,
  ZCredentialsInput,
  ZLoadBalancerInput,
  ZVmInput,
  ZVolumeInput,
} from "./http.ts";

const json = (schema: z.ZodType) => ({
  content: { "application/json": { schema: z.toJSONSchema(schema, { io: "input" }) } },
});
const ok = (description: string) => ({ description, content: { "application/json": { schema: { type: "object" } } } });
const errors = {
  "401": { description: "missing or wrong bearer token" },
  "404": { description: "not found" },
  "409": { description: "conflict, e.g. no capacity left (InsufficientCapacity)" },
  "422": { description: "invalid input; message names the field" },
};
const idParam = [{ name: "id", in: "path", required: true, schema: { type: "string" } }];

function crud(tag: string, base: string, input: z.ZodType) {
  return {
    [`/v1/${base}`]: {
      get: { tags: [tag], summary: `List ${tag}`, responses: { "200": ok("all that exist") } },
      post: {
        tags: [tag],
        summary: `Create (idempotent on id)`,
        requestBody: json(input),
        responses: { "201": ok("created"), "200": ok("already existed: returned as is"), ...errors },
      },
    },
    [`/v1/${base}/{id}`]: {
      parameters: idParam,
      get: { tags: [tag], responses: { "200": ok("the resource"), ...errors } },
      put: {
        tags: [tag],
        summary: "Create with this id (idempotent)",
        requestBody: json(input),
        responses: { "201": ok("created"), "200": ok("already existed"), ...errors },
      },
      delete: { tags: [tag], responses: { "200": ok("deleted"), ...errors } },
    },
  };
}

function withPatch(paths: Record<string, object>, key: string, patch: object): Record<string, object> {
  return { ...paths, [key]: { ...paths[key], patch } };
}

let cached: Record<string, unknown> | undefined;

export function openApiDocument(): Record<string, unknown> {
  cached ??= {
    openapi: "3.1.0",
    info: {
      title: "localcloud",
      version: "1.0.0",
      description: "Nuage's embedded IaaS: hosts, VMs, volumes, load balancers, hosted control planes.",
    },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    security: [{ bearer: [] }],
    paths: {
      "/healthz": { get: { security: [], responses: { "200": ok("alive") } } },
      "/v1/regions": { get: { tags: ["catalog"], responses: { "200": ok("regions and zones") } } },
      "/v1/flavors": { get: { tags: ["catalog"], responses: { "200": ok("VM flavors") } } },
      "/v1/hosts": { get: { tags: ["hosts"], responses: { "200": ok("hypervisor hosts with capacity and usage") } } },
      "/v1/hosts/{id}/down": {
        parameters: idParam,
        post: { tags: ["hosts"], responses: { "200": ok("host marked down") } },
      },
      "/v1/hosts/{id}/up": {
        parameters: idParam,
        post: { tags: ["hosts"], responses: { "200": ok("host marked up") } },
      },
      "/v1/hosts/detail": {
        get: { tags: ["hosts"], responses: { "200": ok("hosts with state, capacity, allocation and their VMs") } },
      },
      "/v1/hosts/{id}/state": {
        parameters: idParam,
        put: {
          tags: ["hosts"],
          summary: "up | down (VMs stop) | draining (no new VMs; VMs move to other hosts)",
          requestBody: json(z.object({ state: z.enum(["up", "down", "draining"]) })),
          responses: { "200": ok("the host, and how many VMs could not move"), ...errors },
        },
      },
      "/v1/faults/vm-create/{id}": {
        parameters: idParam,
        put: {
          tags: ["faults"],
          summary: "VM creates for this control plane fail with 503",
          responses: { "200": ok("set") },
        },
        delete: { tags: ["faults"], responses: { "200": ok("cleared") } },
      },
      ...withPatch(crud("controlplanes", "controlplanes", ZControlPlaneInput), "/v1/controlplanes/{id}", {
        tags: ["controlplanes"],
        summary:
          "Upgrade in place (version: processes restarted on it, one by one when HA, same datastore) and/or toggle HA (1 ↔ 3 API servers); status Upgrading until done",
        requestBody: json(ZControlPlaneUpdate),
        responses: { "200": ok("the control plane"), ...errors },
      }),
      "/v1/controlplanes/{id}/credentials": {
        parameters: idParam,
        post: {
          tags: ["controlplanes"],
          summary: "Issue a client certificate (the key is returned once, never stored)",
          requestBody: json(ZCredentialsInput),
          responses: { "201": ok("certificate, key, CA and endpoint"), ...errors },
        },
      },
      "/v1/controlplanes/{id}/revocations": {
        parameters: idParam,
        post: {
          tags: ["controlplanes"],
          summary: "Revoke a client certificate by serial number",
          requestBody: json(z.object({ serialNumber: z.string() })),
          responses: { "200": ok("revoked"), ...errors },
        },
      },
      ...crud("vms", "vms", ZVmInput),
      "/v1/vms/{id}/stop": {
        parameters: idParam,
        post: { tags: ["vms"], responses: { "200": ok("stopped"), ...errors } },
      },
      "/v1/vms/{id}/start": {
        parameters: idParam,
        post: { tags: ["vms"], responses: { "200": ok("started"), ...errors } },
      },
      ...crud("volumes", "volumes", ZVolumeInput),
      "/v1/volumes/{id}/attach": {
        parameters: idParam,
        post: {
          tags: ["volumes"],
          requestBody: json(z.object({ vmId: z.string() })),
          responses: { "200": ok("attached"), ...errors },
        },
      },
      "/v1/volumes/{id}/detach": {
        parameters: idParam,
        post: { tags: ["volumes"], responses: { "200": ok("detached"), ...errors } },
      },
      ...crud("loadbalancers", "loadbalancers", ZLoadBalancerInput),
      "/v1/usage-records": {
        get: {
          tags: ["usage"],
          summary: "When each resource started and stopped existing (whole seconds); filters controlPlaneId, since",
          responses: { "200": ok("usage records"), ...errors },
        },
      },
    },
  };
  return cached;
}
