// RBAC authorizer over an in-memory copy of roles and bindings, kept current by one watch per
// RBAC kind (no polling). system:masters bypasses it, as upstream.
import type { UserInfo } from "../apiserver/context.ts";
import { findResource } from "../apiserver/registry.ts";
import type { Store } from "../apiserver/store.ts";
import type { KubeObject } from "../client.ts";

type Json = any;
export interface Attributes {
  verb: string;
  group?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  path?: string; // non-resource requests
}

const RBAC = ["roles", "rolebindings", "clusterroles", "clusterrolebindings"].map(
  (r) => findResource("rbac.authorization.k8s.io", "v1", r)!,
);

export class RbacAuthorizer {
  private data = new Map<string, Map<string, KubeObject>>();
  private stops: { stop(): void }[] = [];
  private ready?: Promise<void>;

  constructor(private readonly store: Store) {}

  start(): Promise<void> {
    this.ready ??= (async () => {
      for (const def of RBAC) {
        const m = new Map<string, KubeObject>();
        this.data.set(def.resource, m);
        const list = await this.store.list(def);
        for (const o of list.items) m.set(`${o.metadata.namespace ?? ""}/${o.metadata.name}`, o);
        const rewatch = (rv: string) => {
          const h = this.store.watch(
            def,
            { resourceVersion: rv },
            (e) => {
              const k = `${e.object.metadata.namespace ?? ""}/${e.object.metadata.name}`;
              if (e.type === "DELETED") m.delete(k);
              else m.set(k, e.object);
            },
            () => {
              // Too old: relist and watch again.
              void this.store.list(def).then((l) => {
                m.clear();
                for (const o of l.items) m.set(`${o.metadata.namespace ?? ""}/${o.metadata.name}`, o);
                rewatch(l.resourceVersion);
              });
            },
          );
          this.stops.push(h);
        };
        rewatch(list.resourceVersion);
      }
    })();
    return this.ready;
  }

  stop(): void {
    for (const s of this.stops) s.stop();
    this.stops = [];
  }

  private subjectMatches(subjects: Json[] | undefined, user: UserInfo, bindingNs?: string): boolean {
    return (subjects ?? []).some((s) => {
      if (s.kind === "User") return s.name === user.name;
      if (s.kind === "Group") return user.groups.includes(s.name);
      if (s.kind === "ServiceAccount")
        return user.name === `system:serviceaccount:${s.namespace ?? bindingNs}:${s.name}`;
      return false;
    });
  }

  private ruleAllows(rule: Json, a: Attributes): boolean {
    const verbs: string[] = rule.verbs ?? [];
    if (!verbs.includes("*") && !verbs.includes(a.verb)) return false;
    if (a.path !== undefined) {
      return (rule.nonResourceURLs ?? []).some(
        (u: string) => u === "*" || u === a.path || (u.endsWith("*") && a.path!.startsWith(u.slice(0, -1))),
      );
    }
    const groups: string[] = rule.apiGroups ?? [];
    if (!groups.includes("*") && !groups.includes(a.group ?? "")) return false;
    const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource!;
    const resources: string[] = rule.resources ?? [];
    const resOk = resources.some(
      (r) =>
        r === "*" ||
        r === res ||
        (a.subresource && r === `*/${a.subresource}`) ||
        (r.endsWith("/*") && res.startsWith(r.slice(0, -1))),
    );
    if (!resOk) return false;
    const names: string[] = rule.resourceNames ?? [];
    return names.length === 0 || (!!a.name && names.includes(a.name));
  }

  private roleRules(ref: Json, ns: string | undefined): Json[] {
    if (ref?.kind === "ClusterRole") return (this.data.get("clusterroles")?.get(`/${ref.name}`) as Json)?.rules ?? [];
    if (ref?.kind === "Role") return (this.data.get("roles")?.get(`${ns}/${ref.name}`) as Json)?.rules ?? [];
    return [];
  }

  authorize(user: UserInfo, a: Attributes): boolean {
    if (user.groups.includes("system:masters")) return true;
    for (const b of this.data.get("clusterrolebindings")?.values() ?? []) {
      const x = b as Json;
      if (
        this.subjectMatches(x.subjects, user) &&
        this.roleRules(x.roleRef, undefined).some((r) => this.ruleAllows(r, a))
      )
        return true;
    }
    if (a.namespace && a.path === undefined) {
      for (const b of this.data.get("rolebindings")?.values() ?? []) {
        const x = b as Json;
        if (x.metadata.namespace !== a.namespace) continue;
        if (
          this.subjectMatches(x.subjects, user, a.namespace) &&
          this.roleRules(x.roleRef, a.namespace).some((r) => this.ruleAllows(r, a))
        )
          return true;
      }
    }
    return false;
  }

  static message(user: UserInfo, a: Attributes): string {
    if (a.path !== undefined) return `User "${user.name}" cannot ${a.verb} path "${a.path}"`;
    const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const scope = a.namespace ? `in the namespace "${a.namespace}"` : "at the cluster scope";
    return `User "${user.name}" cannot ${a.verb} resource "${res}" in API group "${a.group ?? ""}" ${scope}`;
  }
}
