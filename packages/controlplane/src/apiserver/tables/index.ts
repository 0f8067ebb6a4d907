// Table responses (meta.k8s.io/v1 Table) for `kubectl get`.
import type { KubeObject } from "../../client.ts";
import { CRD_PRINTER, crdPrinter } from "../crd/printer.ts";
import type { ResourceDef } from "../registry.ts";
import { DEFAULT_PRINTER, PRINTERS } from "./printers.ts";

export type IncludeObject = "None" | "Metadata" | "Object";

function rowObject(o: KubeObject, include: IncludeObject): unknown {
  if (include === "None") return undefined;
  if (include === "Object") return o;
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata };
}

export function toTable(
  def: ResourceDef,
  items: KubeObject[],
  meta: { resourceVersion?: string; continue?: string },
  include: IncludeObject = "Metadata",
  withColumns = true,
): Record<string, unknown> {
  const p = def.crd
    ? crdPrinter(def.crd)
    : (PRINTERS[`${def.group}/${def.resource}`] ??
      (def.group === "apiextensions.k8s.io" ? CRD_PRINTER : undefined) ??
      DEFAULT_PRINTER);
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: {
      ...(meta.resourceVersion ? { resourceVersion: meta.resourceVersion } : {}),
      ...(meta.continue ? { continue: meta.continue } : {}),
    },
    columnDefinitions: withColumns
      ? p.columns.map((c) => ({ priority: 0, format: "", type: "string", description: "", ...c }))
      : [],
    rows: items.map((o) => ({ cells: p.row(o), object: rowObject(o, include) })),
  };
}
