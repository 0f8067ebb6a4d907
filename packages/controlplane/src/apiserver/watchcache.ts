// One etcd watcher per resource type, shared by every watch on it. Recent events (250) are kept in a
// ring so a watch from a recent resourceVersion replays them; older ones get their own etcd watch
// from that revision (which fails with 410 Gone when etcd has compacted it).
import type { Etcd3, IKeyValue, Watcher } from "etcd3";
import type { KubeObject } from "../client.ts";

export interface StoreEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: KubeObject;
  revision: number;
  /** The object before a MODIFIED event (decoded on demand, for selector transitions). */
  previous?: () => KubeObject;
}

type Sub = { onEvent: (e: StoreEvent) => void; onError: (e: Error) => void };

function prefixEnd(b: Buffer): Buffer {
  const out = Buffer.from(b);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 0xff) {
      out[i]! += 1;
      return out.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

const RING = 250; // recent events kept per resource type (upstream keeps about 100)

export class WatchCache {
  private watcher?: Watcher;
  private starting?: Promise<void>;
  private startRev = 0; // events with revision > startRev are all seen
  lastRev = 0;
  private ring: StoreEvent[] = [];
  private subs = new Set<Sub>();
  // Objects by key for LISTs served from memory, like upstream's watch cache: filled by one
  // ranged read, then kept by the shared watch (events arriving meanwhile wait in `pending`).
  // Read-only: only HTTP lists, which serialize at once, read them.
  private objects?: Map<string, KubeObject>;
  private sortedKeys?: string[];
  private pending?: { key: string; kv?: IKeyValue }[];
  private populating?: Promise<void>;
  private generation = 0; // bumped by reset(): a population that spans a reset is dropped

  constructor(
    private readonly etcd: Etcd3,
    private readonly prefix: string,
    private readonly decode: (kv: IKeyValue) => KubeObject,
  ) {}

  private toEvent(type: string, kv: IKeyValue, prev?: IKeyValue): StoreEvent | undefined {
    const revision = Number(kv.mod_revision);
    if (type === "Delete" || type === "DELETE" || type === "1") {
      if (!prev) return undefined;
      const object = this.decode(prev);
      object.metadata.resourceVersion = String(revision);
      return { type: "DELETED", object, revision };
    }
    const object = this.decode(kv);
    if (kv.create_revision === kv.mod_revision || !prev) return { type: "ADDED", object, revision };
    let before: KubeObject | undefined;
    return { type: "MODIFIED", object, revision, previous: () => (before ??= this.decode(prev)) };
  }

  private attach(
    w: Watcher,
    deliver: (e: StoreEvent, kv: IKeyValue, deletedKey?: string) => void,
    fail: (e: Error) => void,
  ): void {
    w.on("data", (res) => {
      for (const ev of res.events) {
        const e = this.toEvent(String(ev.type), ev.kv, ev.prev_kv);
        if (e) deliver(e, ev.kv, e.type === "DELETED" ? ev.kv.key.toString("utf8") : undefined);
      }
    });
    w.on("error", (err) => fail(err));
  }

  private async ensure(): Promise<void> {
    if (this.watcher) return;
    if (!this.starting) {
      this.starting = (async () => {
        const head = await this.etcd.kv.range({ key: Buffer.from(this.prefix), count_only: true });
        this.startRev = Number(head.header.revision);
        this.lastRev = this.startRev;
        const w = await this.etcd
          .watch()
          .prefix(this.prefix)
          .withPreviousKV()
          .startRevision(String(this.startRev + 1))
          .create();
        this.attach(
          w,
          (e, kv, deletedKey) => {
            this.lastRev = e.revision;
            this.cacheApply(deletedKey ?? kv.key.toString("utf8"), deletedKey ? undefined : kv);
            this.ring.push(e);
            if (this.ring.length > RING) {
              const dropped = this.ring.splice(0, this.ring.length - RING);
              this.startRev = dropped[dropped.length - 1]!.revision;
            }
            for (const s of this.subs) s.onEvent(e);
          },
          (err) => {
            for (const s of this.subs) s.onError(err);
            this.subs.clear();
            this.reset();
          },
        );
        this.watcher = w;
      })().finally(() => {
        this.starting = undefined;
      });
    }
    await this.starting;
  }

  private cacheApply(key: string, kv: IKeyValue | undefined): void {
    if (this.pending) {
      this.pending.push({ key, kv });
      return;
    }
    if (!this.objects) return;
    if (!kv) {
      if (this.objects.delete(key)) this.sortedKeys = undefined;
      return;
    }
    if (!this.objects.has(key)) this.sortedKeys = undefined;
    this.objects.set(key, this.decode(kv));
  }

  private async populate(): Promise<void> {
    await this.ensure();
    if (this.objects || this.pending) return;
    // Every event up to lastRev is delivered; later ones wait in `pending` while etcd is read at lastRev.
    this.pending = [];
    const rev = this.lastRev;
    const gen = this.generation;
    const map = new Map<string, KubeObject>();
    try {
      const end = prefixEnd(Buffer.from(this.prefix));
      let start = Buffer.from(this.prefix);
      for (;;) {
        const res = await this.etcd.kv.range({ key: start, range_end: end, revision: rev, limit: 500 });
        for (const kv of res.kvs) map.set(kv.key.toString("utf8"), this.decode(kv));
        const last = res.kvs[res.kvs.length - 1];
        if (!res.more || !last) break;
        start = Buffer.concat([last.key, Buffer.from([0])]);
      }
    } catch (e) {
      this.pending = undefined;
      throw e;
    }
    const pending = this.pending ?? [];
    this.pending = undefined;
    if (!this.watcher || gen !== this.generation) return; // reset meanwhile
    this.objects = map;
    this.sortedKeys = undefined;
    for (const p of pending) this.cacheApply(p.key, p.kv);
  }

  /**
   * The objects under `prefix` (a namespace's, or all) in key order, once the shared watch has
   * delivered every write this API server made to the resource (`mustSee`, the newest revision
   * it wrote): a control plane is its etcd prefix's only writer, so the cache is then current.
   * Undefined when the watch lags for more than ~100 ms (the caller reads etcd instead).
   */
  async cachedList(prefix: string, mustSee: number): Promise<{ items: KubeObject[]; revision: string } | undefined> {
    if (!this.objects) {
      this.populating ??= this.populate().finally(() => {
        this.populating = undefined;
      });
      await this.populating;
    }
    for (let attempt = 0; attempt < 20 && this.lastRev < mustSee; attempt++) await new Promise((r) => setTimeout(r, 5));
    const objects = this.objects;
    if (!objects || this.lastRev < mustSee) return undefined;
    this.sortedKeys ??= [...objects.keys()].sort();
    const items: KubeObject[] = [];
    for (const k of this.sortedKeys) if (k.startsWith(prefix)) items.push(objects.get(k)!);
    return { items, revision: String(this.lastRev) };
  }

  /**
   * The cached object at `key` when the cache holds the resource and the shared watch has
   * delivered `mustSee` (this server's newest write to it); undefined otherwise or when absent
   * (the caller reads etcd). A copy: the cached objects stay read-only.
   */
  current(key: string, mustSee: number): KubeObject | undefined {
    if (!this.objects || this.pending || this.lastRev < mustSee) return undefined;
    const o = this.objects.get(key);
    return o ? structuredClone(o) : undefined;
  }

  private reset(): void {
    const w = this.watcher;
    this.watcher = undefined;
    this.generation++;
    this.objects = undefined;
    this.sortedKeys = undefined;
    this.pending = undefined;
    this.ring = [];
    void w?.cancel().catch(() => {});
  }

  subscribe(fromRv: string | undefined, onEvent: (e: StoreEvent) => void, onError: (e: Error) => void) {
    let stopped = false;
    let own: Watcher | undefined;
    const sub: Sub = { onEvent: (e) => !stopped && onEvent(e), onError: (e) => !stopped && onError(e) };
    const from = fromRv === undefined || fromRv === "" || fromRv === "0" ? undefined : Number(fromRv);
    void this.ensure()
      .then(async () => {
        if (stopped) return;
        if (from === undefined || from >= this.startRev) {
          if (from !== undefined) for (const e of this.ring) if (e.revision > from) sub.onEvent(e);
          this.subs.add(sub);
          return;
        }
        // A compacted revision would make etcd cancel the watch at creation (which the client
        // library mishandles); a point-in-time read tells us first.
        await this.etcd.kv.range({ key: Buffer.from(this.prefix), count_only: true, revision: from });
        if (stopped) return;
        own = await this.etcd
          .watch()
          .prefix(this.prefix)
          .withPreviousKV()
          .startRevision(String(from + 1))
          .create();
        if (stopped) {
          void own.cancel().catch(() => {});
          return;
        }
        this.attach(own, sub.onEvent, sub.onError);
      })
      .catch((e) => sub.onError(e instanceof Error ? e : new Error(String(e))));
    return {
      stop: () => {
        stopped = true;
        this.subs.delete(sub);
        void own?.cancel().catch(() => {});
        // A populated object cache keeps the shared watch running.
        if (this.subs.size === 0 && !this.starting && !this.objects && !this.populating) this.reset();
      },
    };
  }

  async close(): Promise<void> {
    this.subs.clear();
    this.objects = undefined;
    const w = this.watcher;
    this.watcher = undefined;
    await w?.cancel().catch(() => {});
  }
}
