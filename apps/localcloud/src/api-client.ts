// A typed client of localcloud's HTTP API (used by the localcluster CLI, tests and benches).

export class LocalcloudError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "LocalcloudError";
  }
}

export class LocalcloudClient {
  constructor(
    readonly url: string,
    private readonly token?: string,
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) {
      const e = (json ?? {}) as { code?: string; message?: string };
      throw new LocalcloudError(res.status, e.code ?? "Error", e.message ?? `${method} ${path}: HTTP ${res.status}`);
    }
    return json as T;
  }

  async healthy(): Promise<boolean> {
    try {
      await this.request("GET", "/healthz");
      return true;
    } catch {
      return false;
    }
  }
}

export interface ControlPlaneView {
  id: string;
  name: string;
  version: string;
  endpoint: string;
  caCertPem: string;
  status: string;
  etcdPrefix: string;
  pid?: number;
  /** Every API-server process (three when HA). */
  pids?: number[];
}

export interface VmView {
  id: string;
  name: string;
  flavor: string;
  zone: string;
  hostId: string;
  controlPlaneId?: string;
  status: string;
  address: string;
  nodeAgent: { phase: string; message?: string };
}

export interface CredentialsView {
  serialNumber: string;
  notAfter: string;
  clientCertPem: string;
  clientKeyPem: string;
  caCertPem: string;
  endpoint: string;
}
