// NamespaceLifecycle, ServiceAccount defaulting and CSR requester identity.
import type { RequestContext } from "../apiserver/context.ts";
import { ApiError, forbidden, notFound } from "../apiserver/errors.ts";
import { findResource, type ResourceDef } from "../apiserver/registry.ts";
import type { AdmissionPlugin, Store } from "../apiserver/store.ts";
import type { KubeObject } from "../client.ts";

const NS = findResource("", "v1", "namespaces")!;
export const PROTECTED_NAMESPACES = ["default", "kube-system", "kube-public"];
export const INITIAL_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

export function namespaceLifecycle(store: Store): AdmissionPlugin {
  return {
    name: "NamespaceLifecycle",
    async validate(_ctx: RequestContext, op, def: ResourceDef, obj: KubeObject) {
      if (def.group === "" && def.resource === "namespaces" && op === "DELETE") {
        if (PROTECTED_NAMESPACES.includes(obj.metadata.name!)) {
          throw forbidden(def, obj.metadata.name!, "this namespace may not be deleted");
        }
        return;
      }
      if (op !== "CREATE" || !def.namespaced) return;
      const nsName = obj.metadata.namespace!;
      const ns = await store.storage.get(NS, undefined, nsName);
      if (!ns) throw notFound(NS, nsName);
      if (ns.metadata.deletionTimestamp) {
        const what = def.group ? `${def.resource}.${def.group}` : def.resource;
        throw new ApiError(
          403,
          "Forbidden",
          `${what} "${obj.metadata.name}" is forbidden: unable to create new content in namespace ${nsName} because it is being terminated`,
          { name: obj.metadata.name, group: def.group, kind: def.resource },
        );
      }
    },
  };
}

export function serviceAccountDefaults(): AdmissionPlugin {
  return {
    name: "ServiceAccount",
    async admit(_ctx, op, def, obj) {
      if (op !== "CREATE" || def.group !== "" || def.resource !== "pods") return;
      const spec = (obj.spec ?? {}) as Record<string, unknown>;
      spec.serviceAccountName ??= (spec.serviceAccount as string | undefined) ?? "default";
      spec.serviceAccount = spec.serviceAccountName;
    },
  };
}

export function csrIdentity(): AdmissionPlugin {
  return {
    name: "CertificateSigningRequest",
    async admit(ctx, op, def, obj) {
      if (op !== "CREATE" || def.resource !== "certificatesigningrequests") return;
      const spec = (obj.spec ?? {}) as Record<string, unknown>;
      spec.username = ctx.user.name;
      spec.groups = ctx.user.groups;
      if (ctx.user.uid) spec.uid = ctx.user.uid;
      obj.spec = spec;
    },
  };
}
