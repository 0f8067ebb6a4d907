import type { KubeObject } from "../client.ts";
import type { Resources } from "./quantity.ts";

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export type Node = KubeObject & {
  spec?: { unschedulable?: boolean; taints?: Taint[]; podCIDR?: string };
  status?: {
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    addresses?: { type: string; address: string }[];
    [k: string]: unknown;
  };
};

export interface ContainerPort {
  containerPort: number;
  hostPort?: number;
  protocol?: string;
  hostIP?: string;
}

export type SchedPod = KubeObject & {
  spec?: {
    nodeName?: string;
    schedulerName?: string;
    nodeSelector?: Record<string, string>;
    tolerations?: Toleration[];
    affinity?: {
      nodeAffinity?: {
        requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
        preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; preference: NodeSelectorTerm }[];
      };
    };
    containers?: { ports?: ContainerPort[]; resources?: any }[];
    initContainers?: any[];
    overhead?: Record<string, string>;
    priority?: number;
    [k: string]: unknown;
  };
  status?: { phase?: string; conditions?: any[]; [k: string]: unknown };
};

/** A node with what is already bound (or assumed) to it. */
export interface NodeInfo {
  node: Node;
  allocatable: Resources;
  requested: Resources;
  /** Requests with upstream's non-zero defaults (100m CPU, 200Mi memory) for scoring. */
  nonZeroRequested: Resources;
  podCount: number;
  usedPorts: Set<string>;
  /** Pods per controller uid on this node (for spreading). */
  owners: Map<string, number>;
}

/** A filter's verdict: undefined when the node fits, else reasons; unresolvable means preemption cannot help. */
export interface FilterResult {
  reasons: string[];
  unresolvable: boolean;
}
