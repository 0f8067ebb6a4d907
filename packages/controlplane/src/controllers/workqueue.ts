// A rate-limited work queue like client-go's: a key is queued at most once, a key being
// processed is never processed concurrently (it is re-queued when done if it was added
// meanwhile), failures are retried with per-key exponential backoff. Idle workers sleep on a
// promise, never poll.

export interface WorkQueueOptions {
  name: string;
  workers?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  log?: (msg: string) => void;
}

export class WorkQueue {
  private queue: string[] = [];
  private dirty = new Set<string>();
  private processing = new Set<string>();
  private failures = new Map<string, number>();
  private timers = new Map<string, NodeJS.Timeout>();
  private wake: (() => void) | null = null;
  private stopped = false;
  private running: Promise<void>[] = [];

  constructor(
    private readonly handler: (key: string) => Promise<void>,
    private readonly opts: WorkQueueOptions,
  ) {}

  start(): void {
    const n = this.opts.workers ?? 1;
    for (let i = 0; i < n; i++) this.running.push(this.worker());
  }

  add(key: string): void {
    if (this.stopped || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.wake?.();
  }

  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const prev = this.timers.get(key);
    if (prev) clearTimeout(prev);
    const t = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    t.unref?.();
    this.timers.set(key, t);
  }

  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const delay = Math.min((this.opts.baseDelayMs ?? 50) * 2 ** n, this.opts.maxDelayMs ?? 30_000);
    this.addAfter(key, delay);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  get length(): number {
    return this.queue.length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.wake?.();
    await Promise.all(this.running);
  }

  private async next(): Promise<string | undefined> {
    while (!this.stopped) {
      const key = this.queue.shift();
      if (key !== undefined) return key;
      await new Promise<void>((resolve) => {
        const prev = this.wake;
        this.wake = () => {
          this.wake = null;
          prev?.();
          resolve();
        };
      });
    }
    return undefined;
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.next();
      if (key === undefined) return;
      this.dirty.delete(key);
      this.processing.add(key);
      try {
        await this.handler(key);
        this.forget(key);
      } catch (err) {
        // Conflicts are routine (another writer got there first): retry quietly with the fresh object.
        if ((err as { code?: number }).code !== 409) {
          this.opts.log?.(`${this.opts.name}: error syncing ${key}: ${(err as Error).message}`);
        }
        if (!this.stopped) this.addRateLimited(key);
      } finally {
        this.processing.delete(key);
        if (this.dirty.has(key) && !this.stopped) {
          this.queue.push(key);
          this.wake?.();
        }
      }
    }
  }
}
