// A small JSON client for the Kubernetes API over HTTPS (list, watch streaming, CRUD, patch).
// It deliberately avoids @kubernetes/client-node: one agent per VM must stay cheap.
import type { ClientRequest } from "node:http";
import https from "node:https";

export interface KubeCredentials {
  caCertPem: string;
  token?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
}

export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = "KubeApiError";
  }
}

export interface KubeObj {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export interface WatchEvent<T> {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: T;
}

export interface Watch {
  stop(): void;
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export class KubeClient {
  private agent: https.Agent;
  private readonly base: URL;

  constructor(
    server: string,
    private creds: KubeCredentials,
  ) {
    this.base = new URL(server);
    this.agent = this.makeAgent();
  }

  private makeAgent(): https.Agent {
    return new https.Agent({
      keepAlive: true,
      maxSockets: 8,
      ca: this.creds.caCertPem,
      cert: this.creds.clientCertPem,
      key: this.creds.clientKeyPem,
    });
  }

  /** Switches credentials (after TLS bootstrap); open watches keep their old connection. */
  setCredentials(creds: KubeCredentials): void {
    this.creds = creds;
    const old = this.agent;
    this.agent = this.makeAgent();
    old.destroy();
  }

  close(): void {
    this.agent.destroy();
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { accept: "application/json", "user-agent": "nuage-nodeagent/0.1", ...extra };
    if (this.creds.token && !this.creds.clientCertPem) h.authorization = `Bearer ${this.creds.token}`;
    return h;
  }

  request<T = unknown>(method: Method, path: string, body?: unknown, contentType = "application/json"): Promise<T> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers = this.headers(
        payload ? { "content-type": contentType, "content-length": String(Buffer.byteLength(payload)) } : {},
      );
      const req = https.request(
        new URL(path, this.base),
        { method, agent: this.agent, headers, timeout: 30_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let json: unknown;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) return resolve(json as T);
            const st = (json ?? {}) as { reason?: string; message?: string };
            reject(new KubeApiError(status, st.reason ?? "Unknown", st.message ?? `${method} ${path}: HTTP ${status}`));
          });
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on("error", reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }
  create<T>(path: string, obj: unknown): Promise<T> {
    return this.request<T>("POST", path, obj);
  }
  update<T>(path: string, obj: unknown): Promise<T> {
    return this.request<T>("PUT", path, obj);
  }
  mergePatch<T>(path: string, patch: unknown): Promise<T> {
    return this.request<T>("PATCH", path, patch, "application/merge-patch+json");
  }
  delete<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>("DELETE", path, body);
  }

  /**
   * List then watch, re-listing after errors or 410 Gone. `onSync` gets the full list after each
   * (re)list; `onEvent` gets each watch event. Reconnects with a small backoff until stopped.
   */
  listWatch<T extends KubeObj>(
    path: string,
    query: Record<string, string>,
    handlers: { onSync: (items: T[]) => void; onEvent: (e: WatchEvent<T>) => void; onError?: (err: Error) => void },
  ): Watch {
    let stopped = false;
    let current: ClientRequest | undefined;
    let timer: NodeJS.Timeout | undefined;
    let failures = 0;
    const qs = (extra: Record<string, string>) => new URLSearchParams({ ...query, ...extra }).toString();

    const retry = (err: Error) => {
      if (stopped) return;
      handlers.onError?.(err);
      failures++;
      timer = setTimeout(relist, Math.min(500 * 2 ** Math.min(failures, 4), 8000));
    };

    const relist = async () => {
      if (stopped) return;
      try {
        const list = await this.get<{ items: T[]; metadata: { resourceVersion: string } }>(`${path}?${qs({})}`);
        if (stopped) return;
        handlers.onSync(list.items ?? []);
        watchFrom(list.metadata.resourceVersion);
      } catch (err) {
        retry(err as Error);
      }
    };

    const watchFrom = (rv: string) => {
      if (stopped) return;
      let lastRv = rv;
      const url = new URL(
        `${path}?${qs({ watch: "true", resourceVersion: rv, allowWatchBookmarks: "true" })}`,
        this.base,
      );
      const req = https.request(url, { method: "GET", agent: this.agent, headers: this.headers() }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return retry(new Error(`watch ${path}: HTTP ${res.statusCode}`));
        }
        failures = 0;
        let buf = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buf += chunk;
          let nl = buf.indexOf("\n");
          while (nl >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            nl = buf.indexOf("\n");
            if (!line) continue;
            let ev: WatchEvent<T>;
            try {
              ev = JSON.parse(line) as WatchEvent<T>;
            } catch {
              continue;
            }
            if (ev.type === "ERROR") {
              req.destroy();
              current = undefined;
              return relist();
            }
            const objRv = ev.object?.metadata?.resourceVersion;
            if (objRv) lastRv = objRv;
            if (ev.type !== "BOOKMARK") handlers.onEvent(ev);
          }
        });
        res.on("error", () => undefined);
        // "close" fires however the stream ends: a clean end (the server's watch timeout) resumes
        // from the last version seen; a broken connection (API server restarted) lists again.
        res.on("close", () => {
          if (stopped || current !== req) return;
          current = undefined;
          if (res.complete) watchFrom(lastRv);
          else retry(new Error(`watch ${path}: connection lost`));
        });
      });
      req.on("error", (err) => {
        if (!stopped && current === req) retry(err);
      });
      current = req;
      req.end();
    };

    void relist();
    return {
      stop() {
        stopped = true;
        if (timer) clearTimeout(timer);
        current?.destroy();
      },
    };
  }
}
