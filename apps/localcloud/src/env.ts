// The environment of localcloud, validated once at start.
import { resolve } from "node:path";
import { z } from "zod";
import { parseRegions, type RegionSpec } from "./catalog.ts";

const ZEnv = z.object({
  NUAGE_LOCALCLOUD_PORT: z.coerce.number().int().min(0).max(65535).default(4100),
  NUAGE_LOCALCLOUD_HOST: z.string().default("127.0.0.1"),
  NUAGE_LOCALCLOUD_TOKEN: z.string().min(16, "NUAGE_LOCALCLOUD_TOKEN must be at least 16 characters").optional(),
  NUAGE_DATA_DIR: z.string().default(".data"),
  NUAGE_LOCALCLOUD_REGIONS: z.string().optional(),
  NUAGE_LOCALCLOUD_HOSTS_PER_ZONE: z.coerce.number().int().min(1).max(100).default(3),
  NUAGE_LOCALCLOUD_WARM_POOL: z.coerce.number().int().min(0).max(50).optional(),
  ETCD_URL: z.string().url("ETCD_URL must be a URL such as http://127.0.0.1:2379").default("http://127.0.0.1:2379"),
});

export type LocalcloudEnv = {
  port: number;
  host: string;
  token: string | undefined;
  /** $NUAGE_DATA_DIR, absolute. */
  dataRoot: string;
  /** $NUAGE_DATA_DIR/localcloud: localcloud's own state. */
  dataDir: string;
  etcdUrl: string;
  regions: RegionSpec[] | undefined;
  hostsPerZone: number;
  /** Warm control-plane processes kept ready (undefined: the default, controlplanes.ts). */
  warmPool: number | undefined;
};

export function loadEnv(source: NodeJS.ProcessEnv = process.env): LocalcloudEnv {
  const parsed = ZEnv.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid environment: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  const e = parsed.data;
  return {
    port: e.NUAGE_LOCALCLOUD_PORT,
    host: e.NUAGE_LOCALCLOUD_HOST,
    token: e.NUAGE_LOCALCLOUD_TOKEN,
    dataRoot: resolve(e.NUAGE_DATA_DIR),
    dataDir: resolve(e.NUAGE_DATA_DIR, "localcloud"),
    etcdUrl: e.ETCD_URL,
    regions: e.NUAGE_LOCALCLOUD_REGIONS ? parseRegions(e.NUAGE_LOCALCLOUD_REGIONS) : undefined,
    hostsPerZone: e.NUAGE_LOCALCLOUD_HOSTS_PER_ZONE,
    warmPool: e.NUAGE_LOCALCLOUD_WARM_POOL,
  };
}
