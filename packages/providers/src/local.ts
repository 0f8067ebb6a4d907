// The `local` provider: drives apps/localcloud over its HTTP API.
import {
  type ControlPlaneChange,
  type ControlPlaneInfo,
  type ControlPlaneSpec,
  type HostState,
  type IssuedCredential,
  type MachineInfo,
  type MachineSpec,
  type Provider,
  ProviderError,
  type ProviderFlavor,
  type ProviderHost,
  type ProviderRegion,
  type ResourceInfo,
  type UsageRecord,
} from "./contract.ts";

interface CpView {
  id: string;
  name: string;
  version: string;
  endpoint: string;
  caCertPem: string;
  status: string;
  highAvailability?: boolean;
}
interface VmView {
  id: string;
  name: string;
  flavor: string;
  zone: string;
  controlPlaneId?: string;
  status: string;
  labels?: Record<string, string>;
  nodeAgent?: { phase: string; message?: string };
  /** false while its host is down (operator outage): the VM will not come back by itself. */
  hostUp?: boolean;
}
interface HostView {
  id: string;
  region: string;
  zone: string;
  state: HostState;
  capacity: ProviderHost["capacity"];
  used: ProviderHost["used"];
  vms: { id: string; name: string; flavor: string; controlPlaneId: string | null; nodeAgent: string }[];
}
interface ResView {
  id: string;
  controlPlaneId?: string;
}

export interface LocalProviderOptions {
  url: string;
  token?: string;
  /** Per-request timeout, milliseconds. */
  timeoutMs?: number;
}

export class LocalProvider implements Provider {
  readonly name = "local";
  constructor(private readonly opts: LocalProviderOptions) {}

  private async call<T>(method: string, path: string, body?: unknown, allow404 = false): Promise<T | null> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response | undefined;
    // Every call is idempotent (creates are keyed by Nuage's ids), so a connection that failed —
    // typically a keep-alive socket the server closed just as it was reused — is tried again.
    for (let attempt = 1; !res; attempt++) {
      try {
        res = await fetch(`${this.opts.url}${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 60_000),
        });
      } catch (e) {
        const err = e as Error & { cause?: { code?: string; message?: string } };
        const timedOut = err.name === "TimeoutError";
        if (attempt >= 3 || timedOut) {
          const why = err.cause?.code ?? err.cause?.message ?? err.message;
          throw new ProviderError(503, "Unavailable", `localcloud is unreachable (${why})`);
        }
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
    const text = await res.text();
    if (res.status === 404 && allow404) return null;
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const e = (json ?? {}) as { code?: string; message?: string };
      throw new ProviderError(res.status, e.code ?? "Error", e.message ?? `${method} ${path}: HTTP ${res.status}`);
    }
    return json as T;
  }

  async regions(): Promise<ProviderRegion[]> {
    const r = await this.call<{ items: ProviderRegion[] }>("GET", "/v1/regions");
    return r?.items ?? [];
  }

  async flavors(): Promise<ProviderFlavor[]> {
    const r = await this.call<{ items: ProviderFlavor[] }>("GET", "/v1/flavors");
    return r?.items ?? [];
  }

  private cp(v: CpView): ControlPlaneInfo {
    return {
      id: v.id,
      name: v.name,
      version: v.version,
      endpoint: v.endpoint,
      caCertPem: v.caCertPem,
      status: v.status,
      ready: v.status === "Running",
      highAvailability: v.highAvailability ?? false,
    };
  }

  private vm(v: VmView): MachineInfo {
    return {
      id: v.id,
      name: v.name,
      clusterId: v.controlPlaneId ?? null,
      flavor: v.flavor,
      zone: v.zone,
      status: v.hostUp === false ? "host-down" : v.status,
      ready: v.nodeAgent?.phase === "Ready" && v.hostUp !== false,
      labels: v.labels ?? {},
    };
  }

  async ensureControlPlane(spec: ControlPlaneSpec): Promise<ControlPlaneInfo> {
    const v = await this.call<CpView>("PUT", `/v1/controlplanes/${spec.id}`, {
      name: spec.name,
      version: spec.version,
      highAvailability: spec.highAvailability,
    });
    return this.cp(v as CpView);
  }

  async updateControlPlane(id: string, change: ControlPlaneChange): Promise<ControlPlaneInfo> {
    const v = await this.call<CpView>("PATCH", `/v1/controlplanes/${id}`, change);
    return this.cp(v as CpView);
  }

  async getControlPlane(id: string, opts: { waitReadyMs?: number } = {}): Promise<ControlPlaneInfo | null> {
    const q = opts.waitReadyMs ? `?waitReadyMs=${Math.round(opts.waitReadyMs)}` : "";
    const v = await this.call<CpView>("GET", `/v1/controlplanes/${id}${q}`, undefined, true);
    return v ? this.cp(v) : null;
  }

  async listControlPlanes(): Promise<ControlPlaneInfo[]> {
    const r = await this.call<{ items: CpView[] }>("GET", "/v1/controlplanes");
    return (r?.items ?? []).map((v) => this.cp(v));
  }

  async deleteControlPlane(id: string): Promise<boolean> {
    return (await this.call("DELETE", `/v1/controlplanes/${id}`, undefined, true)) !== null;
  }

  async ensureMachine(spec: MachineSpec): Promise<MachineInfo> {
    const v = await this.call<VmView>("PUT", `/v1/vms/${spec.id}`, {
      name: spec.name,
      flavor: spec.flavor,
      zone: spec.zone,
      controlPlaneId: spec.clusterId,
      labels: spec.labels,
    });
    return this.vm(v as VmView);
  }

  async getMachine(id: string): Promise<MachineInfo | null> {
    const v = await this.call<VmView>("GET", `/v1/vms/${id}`, undefined, true);
    return v ? this.vm(v) : null;
  }

  async listMachines(filter: { clusterId?: string } = {}): Promise<MachineInfo[]> {
    const q = filter.clusterId ? `?controlPlaneId=${encodeURIComponent(filter.clusterId)}` : "";
    const r = await this.call<{ items: VmView[] }>("GET", `/v1/vms${q}`);
    return (r?.items ?? []).map((v) => this.vm(v)).filter((m) => !filter.clusterId || m.clusterId === filter.clusterId);
  }

  async deleteMachine(id: string): Promise<boolean> {
    return (await this.call("DELETE", `/v1/vms/${id}`, undefined, true)) !== null;
  }

  private async listRes(path: string, clusterId?: string): Promise<ResourceInfo[]> {
    const r = await this.call<{ items: ResView[] }>("GET", path);
    return (r?.items ?? [])
      .map((v) => ({ id: v.id, clusterId: v.controlPlaneId ?? null }))
      .filter((v) => !clusterId || v.clusterId === clusterId);
  }

  listVolumes(filter: { clusterId?: string } = {}): Promise<ResourceInfo[]> {
    return this.listRes("/v1/volumes", filter.clusterId);
  }

  async deleteVolume(id: string): Promise<boolean> {
    return (await this.call("DELETE", `/v1/volumes/${id}`, undefined, true)) !== null;
  }

  listLoadBalancers(filter: { clusterId?: string } = {}): Promise<ResourceInfo[]> {
    return this.listRes("/v1/loadbalancers", filter.clusterId);
  }

  async deleteLoadBalancer(id: string): Promise<boolean> {
    return (await this.call("DELETE", `/v1/loadbalancers/${id}`, undefined, true)) !== null;
  }

  async issueCredential(
    clusterId: string,
    input: { user: string; groups: string[]; ttlSeconds: number },
  ): Promise<IssuedCredential> {
    const v = await this.call<{
      serialNumber: string;
      notAfter: string;
      clientCertPem: string;
      clientKeyPem: string;
      caCertPem: string;
      endpoint: string;
    }>("POST", `/v1/controlplanes/${clusterId}/credentials`, input);
    if (!v) throw new ProviderError(502, "Error", "localcloud returned no credential");
    return { ...v, notAfter: new Date(v.notAfter) };
  }

  async revokeCredential(clusterId: string, serialNumber: string): Promise<void> {
    await this.call("POST", `/v1/controlplanes/${clusterId}/revocations`, { serialNumber });
  }

  async usageRecords(filter: { clusterId: string; since?: Date }): Promise<UsageRecord[]> {
    const q = new URLSearchParams({ controlPlaneId: filter.clusterId });
    if (filter.since) q.set("since", filter.since.toISOString());
    const r = await this.call<{
      items: Array<
        Omit<UsageRecord, "clusterId" | "createdAt" | "deletedAt"> & {
          controlPlaneId?: string;
          createdAt: string;
          deletedAt?: string;
        }
      >;
    }>("GET", `/v1/usage-records?${q}`);
    return (r?.items ?? []).map((v) => ({
      kind: v.kind,
      id: v.id,
      clusterId: v.controlPlaneId ?? null,
      flavor: v.flavor,
      sizeGiB: v.sizeGiB,
      createdAt: new Date(v.createdAt),
      deletedAt: v.deletedAt ? new Date(v.deletedAt) : null,
    }));
  }

  async describe(clusterId: string) {
    const [controlPlane, machines, volumes, loadBalancers] = await Promise.all([
      this.getControlPlane(clusterId),
      this.listMachines({ clusterId }),
      this.listVolumes({ clusterId }),
      this.listLoadBalancers({ clusterId }),
    ]);
    return { controlPlane, machines, volumes, loadBalancers };
  }

  async listHosts(): Promise<ProviderHost[]> {
    const r = await this.call<{ items: HostView[] }>("GET", "/v1/hosts/detail");
    return (r?.items ?? []).map((h) => this.host(h));
  }

  async setHostState(id: string, state: HostState): Promise<ProviderHost> {
    const h = await this.call<HostView>("PUT", `/v1/hosts/${encodeURIComponent(id)}/state`, { state });
    return this.host(h as HostView);
  }

  private host(h: HostView): ProviderHost {
    return {
      id: h.id,
      region: h.region,
      zone: h.zone,
      state: h.state,
      capacity: h.capacity,
      used: h.used,
      machines: h.vms.map((v) => ({
        id: v.id,
        name: v.name,
        flavor: v.flavor,
        clusterId: v.controlPlaneId,
        status: h.state === "down" ? "host-down" : v.nodeAgent === "Ready" ? "ready" : v.nodeAgent.toLowerCase(),
      })),
    };
  }
}
