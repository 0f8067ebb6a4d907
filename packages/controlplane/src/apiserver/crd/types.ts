// What the API server needs to serve one version of a CustomResourceDefinition.
type Json = any;

export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export interface CrdServing {
  /** metadata.name of the CRD (<plural>.<group>). */
  crdName: string;
  /** This version's openAPIV3Schema (structural); undefined only for legacy CRDs without one. */
  schema?: Json;
  columns: PrinterColumn[];
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  storageVersion: string;
  deprecationWarning?: string;
}
