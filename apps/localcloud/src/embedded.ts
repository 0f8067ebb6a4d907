// Runs localcloud inside the calling process (tests, benches): the same Cloud and HTTP API as
// the daemon, on a port of its own.
import type { AddressInfo } from "node:net";
import { Cloud } from "./cloud.ts";
import { createApiServer } from "./http.ts";

export interface EmbeddedLocalcloud {
  url: string;
  token: string | undefined;
  cloud: Cloud;
  close(): Promise<void>;
}

export async function startLocalcloud(opts: {
  dataDir: string;
  etcdUrl: string;
  port?: number;
  token?: string;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** Warm control-plane processes (default $NUAGE_LOCALCLOUD_WARM_POOL, else 2; 0 under tests). */
  warmPool?: number;
}): Promise<EmbeddedLocalcloud> {
  const log = opts.log ?? (() => undefined);
  const cloud = new Cloud({ dataDir: opts.dataDir, etcdUrl: opts.etcdUrl, log, warmPool: opts.warmPool });
  cloud.resume();
  const server = createApiServer(cloud, opts.token, log);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    token: opts.token,
    cloud,
    async close() {
      server.closeAllConnections();
      server.close();
      await cloud.close();
    },
  };
}
