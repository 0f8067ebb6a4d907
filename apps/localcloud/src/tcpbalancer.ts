// A TCP load balancer in front of an HA control plane's API-server processes: the cluster
// endpoint (its port never changes, so kubeconfigs and node agents keep working) spreads
// connections round-robin over the healthy backends. TLS passes through untouched (client
// certificates reach the API server). Health: the supervisor's view (process up and ready) plus an
// active TCP connect every `checkEveryMs`; a backend that refuses a connection is skipped at once
// and the connection is tried on the next one.
import { connect, createServer, type Server, type Socket } from "node:net";

export interface Backend {
  host: string;
  port: number;
  /** The supervisor's view: the process is running and printed its ready event. */
  up: boolean;
}

export class TcpBalancer {
  private server: Server | undefined;
  private next = 0;
  private readonly failedAt = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly listen: { host: string; port: number },
    private readonly backends: () => Backend[],
    private readonly opts: { checkEveryMs?: number; connectTimeoutMs?: number } = {},
  ) {}

  async start(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    server.on("error", () => {});
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.listen.port, this.listen.host, () => resolve());
    });
    this.server = server;
    const every = this.opts.checkEveryMs ?? 1000;
    this.timer = setInterval(() => void this.check(), every);
    this.timer.unref();
  }

  /** Backends that are up and did not fail their last check. */
  healthy(): Backend[] {
    return this.backends().filter((b) => b.up && !this.failedAt.has(b.port));
  }

  private async check(): Promise<void> {
    await Promise.all(
      this.backends().map(
        (b) =>
          new Promise<void>((resolve) => {
            if (!b.up) {
              this.failedAt.set(b.port, Date.now());
              return resolve();
            }
            const s = connect({ host: b.host, port: b.port });
            const t = setTimeout(() => s.destroy(new Error("timeout")), this.opts.connectTimeoutMs ?? 1000);
            s.once("connect", () => {
              clearTimeout(t);
              this.failedAt.delete(b.port);
              s.destroy();
              resolve();
            });
            s.on("error", () => {
              clearTimeout(t);
              this.failedAt.set(b.port, Date.now());
              resolve();
            });
          }),
      ),
    );
  }

  private accept(client: Socket): void {
    this.sockets.add(client);
    client.once("close", () => this.sockets.delete(client));
    client.on("error", () => {});
    client.pause();
    const candidates = this.healthy();
    // Nothing healthy: still try every backend the supervisor knows (a check may lag a restart).
    const order = candidates.length ? candidates : this.backends();
    const start = this.next++ % Math.max(order.length, 1);
    const tryAt = (i: number) => {
      if (i >= order.length || client.destroyed) {
        client.destroy();
        return;
      }
      const b = order[(start + i) % order.length]!;
      const upstream = connect({ host: b.host, port: b.port });
      const t = setTimeout(() => upstream.destroy(new Error("timeout")), this.opts.connectTimeoutMs ?? 2000);
      upstream.once("connect", () => {
        clearTimeout(t);
        this.sockets.add(upstream);
        upstream.once("close", () => this.sockets.delete(upstream));
        upstream.on("error", () => client.destroy());
        client.on("error", () => upstream.destroy());
        client.once("close", () => upstream.destroy());
        upstream.once("close", () => client.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      upstream.on("error", () => {
        clearTimeout(t);
        if (upstream.connecting || !upstream.remotePort) {
          // Refused or timed out before connecting: mark it and try the next backend.
          this.failedAt.set(b.port, Date.now());
          tryAt(i + 1);
        }
      });
    };
    tryAt(0);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}
