// RBAC escalation prevention, as upstream: a user may only create or change a Role/ClusterRole
// with permissions they hold (or with the "escalate" verb), and only bind a role whose
// permissions they hold in that scope (or with the "bind" verb on it).
import type { UserInfo } from "../apiserver/context.ts";
import { ApiError } from "../apiserver/errors.ts";
import { findResource, type ResourceDef } from "../apiserver/registry.ts";
import type { AdmissionPlugin, Store } from "../apiserver/store.ts";
import type { RbacAuthorizer } from "../auth/rbac.ts";
import type { KubeObject } from "../client.ts";

type Json = any;
const G = "rbac.authorization.k8s.io";
const ROLES = findResource(G, "v1", "roles")!;
const CLUSTER_ROLES = findResource(G, "v1", "clusterroles")!;

function missingRules(authz: RbacAuthorizer, user: UserInfo, rules: Json[], namespace?: string): string[] {
  const missing: string[] = [];
  for (const r of rules ?? []) {
    const verbs: string[] = r.verbs ?? [];
    if (r.nonResourceURLs?.length) {
      for (const path of r.nonResourceURLs as string[]) {
        for (const verb of verbs)
          if (!authz.authorize(user, { verb, path })) missing.push(`{NonResourceURLs:["${path}"], Verbs:["${verb}"]}`);
      }
      continue;
    }
    const names: (string | undefined)[] = r.resourceNames?.length ? r.resourceNames : [undefined];
    for (const group of (r.apiGroups ?? []) as string[]) {
      for (const res of (r.resources ?? []) as string[]) {
        const [resource, subresource] = res.split("/");
        for (const verb of verbs) {
          for (const name of names) {
            if (!authz.authorize(user, { verb, group, resource, subresource, namespace, name })) {
              missing.push(`{APIGroups:["${group}"], Resources:["${res}"], Verbs:["${verb}"]}`);
            }
          }
        }
      }
    }
  }
  return missing;
}

export function rbacEscalation(store: Store, authz: RbacAuthorizer): AdmissionPlugin {
  return {
    name: "RBACEscalation",
    async validate(ctx, op, def: ResourceDef, obj: KubeObject) {
      if (op === "DELETE" || def.group !== G || ctx.user.groups.includes("system:masters")) return;
      const o = obj as Json;
      const ns = def.namespaced ? obj.metadata.namespace : undefined;
      let rules: Json[];
      let special: { verb: string; resource: string; name: string };
      if (def.resource === "roles" || def.resource === "clusterroles") {
        rules = o.rules ?? [];
        special = { verb: "escalate", resource: def.resource, name: obj.metadata.name! };
      } else {
        const ref = o.roleRef ?? {};
        const roleDef = ref.kind === "ClusterRole" ? CLUSTER_ROLES : ROLES;
        const role = (await store.storage.get(roleDef, ref.kind === "ClusterRole" ? undefined : ns, ref.name)) as Json;
        rules = role?.rules ?? [];
        special = { verb: "bind", resource: roleDef.resource, name: ref.name };
      }
      if (
        authz.authorize(ctx.user, {
          verb: special.verb,
          group: G,
          resource: special.resource,
          namespace: ns,
          name: special.name,
        })
      )
        return;
      const missing = missingRules(authz, ctx.user, rules, ns);
      if (!missing.length) return;
      throw new ApiError(
        403,
        "Forbidden",
        `${def.resource}.${G} "${obj.metadata.name}" is forbidden: user "${ctx.user.name}" (groups=${JSON.stringify(ctx.user.groups)}) is attempting to grant RBAC permissions not currently held:\n${[...new Set(missing)].join("\n")}`,
        { name: obj.metadata.name, group: G, kind: def.resource },
      );
    },
  };
}
