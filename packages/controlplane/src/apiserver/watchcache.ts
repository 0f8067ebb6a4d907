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

const RING = 250; // recent events kept per resource type (upstream keeps about 100)

export class WatchCache {
  private watcher?: Watcher;
  private starting?: Promise<void>;
  private startRev = 0; // events with revision > startRev are all seen
  lastRev = 0;
  private ring: StoreEvent[] = [];
  private subs = new Set<Sub>();

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

  private attach(w: Watcher, deliver: (e: StoreEvent) => void, fail: (e: Error) => void): void {
    w.on("data", (res) => {
      for (const ev of res.events) {
        const e = this.toEvent(String(ev.type), ev.kv, ev.prev_kv);
        if (e) deliver(e);
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
          (e) => {
            this.lastRev = e.revision;
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

  private reset(): void {
    const w = this.watcher;
    this.watcher = undefined;
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
        if (this.subs.size === 0 && !this.starting) this.reset();
      },
    };
  }

  async close(): Promise<void> {
    this.subs.clear();
    const w = this.watcher;
    this.watcher = undefined;
    await w?.cancel().catch(() => {});
  }
}
