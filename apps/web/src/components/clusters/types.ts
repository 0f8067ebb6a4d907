/**
 * The shapes the cluster pages read. They are structural: the API's objects (Prisma rows with
 * relations) fit them as long as these fields are there, so the components do not depend on
 * every column the API returns.
 */
export type DateLike = Date | string;

export interface StepView {
  id?: string;
  name: string;
  title?: string;
  status: string;
  detail?: string | null;
  startedAt?: DateLike | null;
  finishedAt?: DateLike | null;
}

export interface OperationView {
  id: string;
  type: string;
  status: string;
  error?: string | null;
  attempts?: number;
  createdAt: DateLike;
  startedAt?: DateLike | null;
  finishedAt?: DateLike | null;
  report?: unknown;
  steps?: StepView[];
}

export interface PoolView {
  id: string;
  name: string;
  flavor: string;
  count: number;
  minCount: number;
  maxCount: number;
  labels: Record<string, string>;
  taints: Array<{ key: string; value?: string | undefined; effect: string }>;
}

export interface NodeView {
  id: string;
  name: string;
  poolId: string;
  status: string;
  version?: string;
}

export interface ClusterView {
  id: string;
  name: string;
  status: string;
  statusMessage?: string | null;
  version: string;
  region: string;
  endpoint?: string | null;
  haControlPlane: boolean;
  createdAt: DateLike;
  deletedAt?: DateLike | null;
  nodeCount: number;
  readyNodeCount?: number;
  vcpus: number;
  memoryMiB: number;
  nodePools: PoolView[];
  nodes: NodeView[];
  currentOperation?: OperationView | null;
}

export interface FlavorView {
  name: string;
  vcpus: number;
  memoryMiB: number;
  diskGiB?: number;
  priceCentsHourly: number;
  /** Exact hourly price from the price book (the org's plan), in micro-cents. */
  priceMicroHourly?: number;
  currency?: string;
}
