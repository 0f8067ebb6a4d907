// The scale subresource of custom resources: replicas and selector at the paths the CRD names
// (specReplicasPath, statusReplicasPath, labelSelectorPath), as autoscaling/v1 Scale.
import type { KubeObject } from "../../client.ts";
import type { ResourceDef } from "../registry.ts";
import { jsonPath } from "./printer.ts";

type Json = any;

export function customScale(def: ResourceDef, o: KubeObject): KubeObject {
  const s = def.crd!.scale!;
  const spec = jsonPath(o, s.specReplicasPath)[0];
  const status = jsonPath(o, s.statusReplicasPath)[0];
  const selector = s.labelSelectorPath ? jsonPath(o, s.labelSelectorPath)[0] : undefined;
  return {
    apiVersion: "autoscaling/v1",
    kind: "Scale",
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      creationTimestamp: o.metadata.creationTimestamp,
    },
    spec: { replicas: typeof spec === "number" ? spec : 0 },
    status: {
      replicas: typeof status === "number" ? status : 0,
      ...(typeof selector === "string" ? { selector } : {}),
    },
  };
}

/** Writes replicas at specReplicasPath (a dotted path like .spec.replicas), creating objects on the way. */
export function setReplicas(def: ResourceDef, o: Json, replicas: number): void {
  const parts = def.crd!.scale!.specReplicasPath.replace(/^\./, "").split(".");
  let cur = o;
  for (const p of parts.slice(0, -1)) cur = cur[p] ??= {};
  cur[parts[parts.length - 1]!] = replicas;
}
