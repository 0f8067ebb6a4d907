import type { ApiError, Client, KubeObject, ResourceRef, WatchHandle } from "../client.ts";
import { objKey } from "./refs.ts";

// A shared informer like client-go's: list, then watch from the list's resourceVersion, keep an
// indexed cache, call handlers. A 410 Gone (or any watch failure) relists and replays the
// difference as add/update/delete. One informer per resource type, shared by all controllers.

export interface Handlers<T extends KubeObject> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

export class SharedInformer<T extends KubeObject = KubeObject> {
  private store = new Map<string, T>();
  private byNs = new Map<string, Set<string>>();
  private handlers: Handlers<T>[] = [];
  private watchHandle: WatchHandle | null = null;
  private stopped = false;
  private started = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private relistTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private syncedResolve!: () => void;
  readonly synced: Promise<void>;
  private generation = 0;

  constructor(
    private readonly client: Client,
    readonly ref: ResourceRef,
    private readonly log?: (msg: string) => void,
  ) {
    this.synced = new Promise((r) => {
      this.syncedResolve = r;
    });
  }

  addHandler(h: Handlers<T>): void {
    this.handlers.push(h);
    // Late handlers see the current cache as adds, like client-go.
    for (const o of this.store.values()) h.add?.(o);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    void this.listAndWatch();
  }

  stop(): void {
    this.stopped = true;
    this.watchHandle?.stop();
    this.watchHandle = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.relistTimer) clearTimeout(this.relistTimer);
  }

  get(key: string): T | undefined {
    return this.store.get(key);
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.store.get(namespace ? `${namespace}/${name}` : name);
  }

  list(namespace?: string): T[] {
    if (namespace === undefined) return [...this.store.values()];
    const keys = this.byNs.get(namespace);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) {
      const o = this.store.get(k);
      if (o) out.push(o);
    }
    return out;
  }

  private put(o: T): T | undefined {
    const k = objKey(o);
    const old = this.store.get(k);
    this.store.set(k, o);
    const ns = o.metadata.namespace ?? "";
    let s = this.byNs.get(ns);
    if (!s) this.byNs.set(ns, (s = new Set()));
    s.add(k);
    return old;
  }

  private remove(o: T): T | undefined {
    const k = objKey(o);
    const old = this.store.get(k);
    this.store.delete(k);
    this.byNs.get(o.metadata.namespace ?? "")?.delete(k);
    return old;
  }

  private emit(fn: (h: Handlers<T>) => void): void {
    for (const h of this.handlers) {
      try {
        fn(h);
      } catch (err) {
        this.log?.(`informer ${this.ref.resource}: handler failed: ${(err as Error).message}`);
      }
    }
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const delay = Math.min(200 * 2 ** this.failures, 10_000);
    this.failures++;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.listAndWatch(), delay);
    this.retryTimer.unref?.();
  }

  private async listAndWatch(): Promise<void> {
    if (this.stopped) return;
    const gen = ++this.generation;
    let rv: string;
    try {
      const items: T[] = [];
      let cont: string | undefined;
      do {
        const res = await this.client.list<T>(this.ref, { limit: 500, continue: cont });
        items.push(...res.items);
        rv = res.resourceVersion;
        cont = res.continue || undefined;
      } while (cont);
      if (this.stopped || gen !== this.generation) return;
      this.replace(items);
      this.failures = 0;
    } catch (err) {
      this.log?.(`informer ${this.ref.resource}: list failed: ${(err as Error).message}`);
      this.scheduleRetry();
      return;
    }
    this.syncedResolve();
    let lastRv = rv;
    let restarted = false;
    const restart = () => {
      if (restarted || gen !== this.generation || this.stopped) return;
      restarted = true;
      if (this.relistTimer) clearTimeout(this.relistTimer);
      this.watchHandle?.stop();
      this.watchHandle = null;
      this.scheduleRetry();
    };
    try {
      this.watchHandle = this.client.watch<T>(
        this.ref,
        { resourceVersion: lastRv },
        (ev) => {
          if (gen !== this.generation || this.stopped) return;
          this.failures = 0;
          if (ev.type === "ERROR") return restart();
          if (ev.type === "BOOKMARK") {
            lastRv = ev.object.metadata.resourceVersion ?? lastRv;
            return;
          }
          const o = ev.object;
          lastRv = o.metadata.resourceVersion ?? lastRv;
          if (ev.type === "DELETED") {
            this.remove(o);
            this.emit((h) => h.delete?.(o));
          } else {
            const old = this.put(o);
            if (old) this.emit((h) => h.update?.(old, o));
            else this.emit((h) => h.add?.(o));
          }
        },
        (err: ApiError) => {
          if (err.code !== 410) this.log?.(`informer ${this.ref.resource}: watch ended: ${err.message}`);
          restart();
        },
      );
    } catch (err) {
      this.log?.(`informer ${this.ref.resource}: watch failed: ${(err as Error).message}`);
      restart();
      return;
    }
    // Like the API server's watch timeout upstream: every 5-10 minutes the watch is replaced by a
    // fresh list + watch, so a watch that went quiet without an error cannot stall a controller.
    if (this.relistTimer) clearTimeout(this.relistTimer);
    this.relistTimer = setTimeout(restart, 300_000 + Math.random() * 300_000);
    this.relistTimer.unref?.();
  }

  /** Replaces the cache with a fresh list, emitting the differences. */
  private replace(items: T[]): void {
    const seen = new Set<string>();
    for (const o of items) {
      seen.add(objKey(o));
      const old = this.put(o);
      if (!old) this.emit((h) => h.add?.(o));
      else if (old.metadata.resourceVersion !== o.metadata.resourceVersion) this.emit((h) => h.update?.(old, o));
    }
    for (const [k, o] of [...this.store]) {
      if (!seen.has(k)) {
        this.remove(o);
        this.emit((h) => h.delete?.(o));
      }
    }
  }
}

/** One informer per resource type, shared by every controller of the process. */
export class InformerFactory {
  private informers = new Map<string, SharedInformer<any>>();
  constructor(
    private readonly client: Client,
    private readonly log?: (msg: string) => void,
  ) {}

  for<T extends KubeObject = KubeObject>(ref: ResourceRef): SharedInformer<T> {
    const k = `${ref.group}/${ref.version}/${ref.resource}`;
    let inf = this.informers.get(k);
    if (!inf) {
      inf = new SharedInformer<T>(this.client, ref, this.log);
      this.informers.set(k, inf);
    }
    return inf as SharedInformer<T>;
  }

  start(): void {
    for (const i of this.informers.values()) i.start();
  }

  async waitForSync(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.synced));
  }

  stop(): void {
    for (const i of this.informers.values()) i.stop();
  }
}
