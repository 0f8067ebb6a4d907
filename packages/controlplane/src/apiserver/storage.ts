// Object storage on etcd, keyed like upstream: <prefix>/registry/<resource>/<namespace>/<name>.
// resourceVersion is the etcd mod revision; writes are compare-and-swap transactions on it.
// Watches share one etcd watcher per resource type (see watchcache.ts).
import { Etcd3, type IKeyValue } from "etcd3";
import type { KubeObject } from "../client.ts";
import { type Cipher, createCipher } from "./encryption.ts";
import { gone, internal } from "./errors.ts";
import type { ResourceDef } from "./registry.ts";
import { type StoreEvent, WatchCache } from "./watchcache.ts";

export interface StorageOptions {
  etcdUrl: string;
  prefix: string;
  encryptionKeyBase64?: string;
}

export interface RawList {
  items: KubeObject[];
  revision: string;
  continue?: string;
}

function prefixEnd(b: Buffer): Buffer {
  const end = Buffer.from(b);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i] = end[i]! + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

export class Storage {
  readonly etcd: Etcd3;
  private readonly prefix: string;
  private readonly cipher?: Cipher;
  private readonly caches = new Map<string, WatchCache>();
  private eventLease?: { id: string; until: number };

  constructor(opts: StorageOptions) {
    this.etcd = new Etcd3({ hosts: opts.etcdUrl.split(",") });
    this.prefix = opts.prefix.replace(/\/+$/, "");
    if (opts.encryptionKeyBase64) this.cipher = createCipher(opts.encryptionKeyBase64);
  }

  resourcePrefix(def: ResourceDef): string {
    // Custom resources live under <group>/<plural>, every served version in one place (as upstream).
    const res =
      def.group === "events.k8s.io" ? "events.k8s.io/events" : def.crd ? `${def.group}/${def.resource}` : def.resource;
    return `${this.prefix}/registry/${res}/`;
  }

  key(def: ResourceDef, namespace: string | undefined, name: string): string {
    return def.namespaced ? `${this.resourcePrefix(def)}${namespace}/${name}` : `${this.resourcePrefix(def)}${name}`;
  }

  private encrypted(def: ResourceDef): boolean {
    return !!this.cipher && def.group === "" && def.resource === "secrets";
  }

  encode(def: ResourceDef, obj: KubeObject): Buffer {
    const copy = { ...obj, metadata: { ...obj.metadata } };
    delete copy.metadata.resourceVersion;
    const json = Buffer.from(JSON.stringify(copy));
    return this.encrypted(def) ? this.cipher!.encrypt(json) : json;
  }

  decode(_def: ResourceDef, kv: IKeyValue): KubeObject {
    let value = kv.value;
    if (this.cipher?.isEncrypted(value)) value = this.cipher.decrypt(value);
    const obj = JSON.parse(value.toString("utf8")) as KubeObject;
    obj.metadata.resourceVersion = String(kv.mod_revision);
    return obj;
  }

  async get(def: ResourceDef, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const res = await this.etcd.kv.range({ key: Buffer.from(this.key(def, namespace, name)) });
    const kv = res.kvs[0];
    return kv ? this.decode(def, kv) : undefined;
  }

  /**
   * The object to base an update on: from the watch cache when it is current with this server's
   * writes (no etcd round trip), else from etcd. The write that follows is a compare-and-swap on
   * its resourceVersion, so a stale copy (another API server of an HA control plane wrote
   * meanwhile) can only make it fail; callers then read etcd (`fromCache` tells them).
   */
  async getForUpdate(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
  ): Promise<{ obj: KubeObject | undefined; fromCache: boolean }> {
    const p = this.resourcePrefix(def);
    const c = this.caches.get(p);
    const hit = c?.current(this.key(def, namespace, name), this.written.get(p) ?? 0);
    if (hit) return { obj: hit, fromCache: true };
    return { obj: await this.get(def, namespace, name), fromCache: false };
  }

  async currentRevision(): Promise<string> {
    const res = await this.etcd.kv.range({ key: Buffer.from(`${this.prefix}/registry/`), count_only: true });
    return String(res.header.revision);
  }

  /** Lists a resource (optionally one namespace), paginated with a continue token pinned to a revision. */
  async list(
    def: ResourceDef,
    namespace: string | undefined,
    opts: { limit?: number; continue?: string; filter?: (o: KubeObject) => boolean; cached?: boolean } = {},
  ): Promise<RawList> {
    const base = def.namespaced && namespace ? `${this.resourcePrefix(def)}${namespace}/` : this.resourcePrefix(def);
    if (opts.cached && !opts.continue) {
      // First pages come from the watch cache when it is provably current (watchcache.ts);
      // later pages read etcd at the revision the continue token pins.
      const hit = await this.cache(def)
        .cachedList(base, this.written.get(this.resourcePrefix(def)) ?? 0)
        .catch(() => undefined);
      if (hit) {
        const items: KubeObject[] = [];
        const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
        for (const obj of hit.items) {
          if (opts.filter && !opts.filter(obj)) continue;
          if (limit && items.length >= limit) {
            const start = this.key(def, obj.metadata.namespace, obj.metadata.name!).slice(base.length);
            const tok = Buffer.from(JSON.stringify({ rv: hit.revision, start })).toString("base64url");
            return { items, revision: hit.revision, continue: tok };
          }
          items.push(obj);
        }
        return { items, revision: hit.revision };
      }
    }
    let start = Buffer.from(base);
    let revision: string | undefined;
    if (opts.continue) {
      try {
        const tok = JSON.parse(Buffer.from(opts.continue, "base64url").toString("utf8")) as {
          rv: string;
          start: string;
        };
        revision = tok.rv;
        start = Buffer.from(base + tok.start);
      } catch {
        throw Object.assign(gone("continue token is invalid"), {});
      }
    }
    const end = prefixEnd(Buffer.from(base));
    const items: KubeObject[] = [];
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    for (;;) {
      let res: Awaited<ReturnType<Etcd3["kv"]["range"]>>;
      try {
        res = await this.etcd.kv.range({
          key: start,
          range_end: end,
          revision: revision ?? 0,
          limit: limit ? Math.max(limit - items.length, 1) + 1 : 0,
        });
      } catch (e) {
        if (String(e).includes("compacted")) {
          throw gone("The provided continue parameter is too old to display a consistent list result.");
        }
        throw internal(String(e instanceof Error ? e.message : e));
      }
      revision ??= String(res.header.revision);
      let lastKey: Buffer | undefined;
      for (const kv of res.kvs) {
        if (limit && items.length >= limit) {
          const startSuffix = kv.key.toString("utf8").slice(base.length);
          const tok = Buffer.from(JSON.stringify({ rv: revision, start: startSuffix })).toString("base64url");
          return { items, revision, continue: tok };
        }
        lastKey = kv.key;
        const obj = this.decode(def, kv);
        if (!opts.filter || opts.filter(obj)) items.push(obj);
      }
      if (!res.more || !lastKey) return { items, revision };
      start = Buffer.concat([lastKey, Buffer.from([0])]);
    }
  }

  /**
   * Events expire after an hour, as upstream's --event-ttl: they are written under an etcd lease,
   * one lease shared by all events of a few minutes.
   */
  private async leaseFor(def: ResourceDef): Promise<string | undefined> {
    if (def.resource !== "events") return undefined;
    const now = Date.now();
    if (!this.eventLease || this.eventLease.until < now) {
      const res = await this.etcd.leaseClient.leaseGrant({ TTL: 3600 + 300 });
      this.eventLease = { id: String(res.ID), until: now + 300_000 };
    }
    return this.eventLease.id;
  }

  /** Creates the key if absent; returns the stored object or undefined when the key exists. */
  async create(def: ResourceDef, obj: KubeObject): Promise<KubeObject | undefined> {
    const key = Buffer.from(this.key(def, obj.metadata.namespace, obj.metadata.name!));
    const lease = await this.leaseFor(def);
    const res = await this.etcd.kv.txn({
      compare: [{ key, target: "Version", result: "Equal", version: 0 }],
      success: [{ request_put: { key, value: this.encode(def, obj), ...(lease ? { lease } : {}) } }],
    });
    if (!res.succeeded) return undefined;
    this.noteWrite(def, res.header.revision);
    return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(res.header.revision) } };
  }

  /** Compare-and-swap on the mod revision; undefined when the object changed or vanished. */
  async update(def: ResourceDef, obj: KubeObject, expectedRv: string): Promise<KubeObject | undefined> {
    const key = Buffer.from(this.key(def, obj.metadata.namespace, obj.metadata.name!));
    const lease = await this.leaseFor(def);
    const res = await this.etcd.kv.txn({
      compare: [{ key, target: "Mod", result: "Equal", mod_revision: expectedRv }],
      success: [{ request_put: { key, value: this.encode(def, obj), ...(lease ? { lease } : {}) } }],
    });
    if (!res.succeeded) return undefined;
    this.noteWrite(def, res.header.revision);
    return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(res.header.revision) } };
  }

  async remove(def: ResourceDef, obj: KubeObject, expectedRv: string): Promise<boolean> {
    const key = Buffer.from(this.key(def, obj.metadata.namespace, obj.metadata.name!));
    const res = await this.etcd.kv.txn({
      compare: [{ key, target: "Mod", result: "Equal", mod_revision: expectedRv }],
      success: [{ request_delete_range: { key } }],
    });
    if (res.succeeded) this.noteWrite(def, res.header.revision);
    return res.succeeded;
  }

  /** The newest revision this server wrote per resource: a cached LIST must have seen it. */
  private written = new Map<string, number>();
  private noteWrite(def: ResourceDef, revision: string | number): void {
    const p = this.resourcePrefix(def);
    this.written.set(p, Math.max(this.written.get(p) ?? 0, Number(revision)));
  }

  cache(def: ResourceDef): WatchCache {
    const p = this.resourcePrefix(def);
    let c = this.caches.get(p);
    if (!c) {
      c = new WatchCache(this.etcd, p, (kv) => this.decode(def, kv));
      this.caches.set(p, c);
    }
    return c;
  }

  /** Watches events strictly after `fromRv` (from now when undefined). */
  watch(
    def: ResourceDef,
    fromRv: string | undefined,
    onEvent: (e: StoreEvent) => void,
    onError: (e: Error) => void,
  ): { stop(): void } {
    return this.cache(def).subscribe(fromRv, onEvent, onError);
  }

  async deletePrefix(): Promise<void> {
    await this.etcd.delete().prefix(`${this.prefix}/`);
  }

  async close(): Promise<void> {
    for (const c of this.caches.values()) await c.close();
    this.etcd.close();
  }
}
