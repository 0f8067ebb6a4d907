// NodeRestriction: a node agent (user system:node:<name>, group system:nodes) may only change
// its own Node and Lease, and only the pods bound to it.
import { forbidden } from "../apiserver/errors.ts";
import type { AdmissionPlugin } from "../apiserver/store.ts";

type Json = any;

export function nodeRestriction(): AdmissionPlugin {
  return {
    name: "NodeRestriction",
    async validate(ctx, op, def, obj, old) {
      const user = ctx.user;
      if (!user.groups.includes("system:nodes") || !user.name.startsWith("system:node:")) return;
      const node = user.name.slice("system:node:".length);
      const name = obj.metadata.name ?? "";
      const deny = (why: string) => {
        throw forbidden(def, name, `node "${node}" ${why}`);
      };
      if (def.group === "" && def.resource === "nodes" && name !== node)
        deny(`is not allowed to modify node "${name}"`);
      if (def.group === "coordination.k8s.io" && def.resource === "leases") {
        if (obj.metadata.namespace !== "kube-node-lease" || name !== node)
          deny(`is not allowed to modify lease "${name}"`);
      }
      if (def.group === "" && def.resource === "pods") {
        const bound = (obj as Json).spec?.nodeName ?? (old as Json)?.spec?.nodeName;
        if (bound !== node) deny(`can only ${op === "DELETE" ? "delete" : "update"} pods bound to it`);
      }
    },
  };
}
