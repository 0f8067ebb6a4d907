// Load-driven CPU: every request a simulated container serves costs it CPU time, so an HPA on
// CPU reacts to traffic sent through a Service. The model (docs/traffic.md): each request costs
// REQUEST_CPU_MILLICORE_SECONDS millicore-seconds, spread over a sliding window of WINDOW_S
// seconds (metrics-server's window), so the reported usage is proportional to the request rate
// and falls back to the image's idle usage WINDOW_S seconds after the load stops.

export const REQUEST_CPU_MILLICORE_SECONDS = 10;
export const WINDOW_S = 10;

export class LoadMeter {
  /** Requests per whole second (epoch seconds), the last WINDOW_S seconds only. */
  private buckets = new Map<number, number>();

  constructor(private readonly now: () => number = Date.now) {}

  hit(n = 1): void {
    const s = Math.floor(this.now() / 1000);
    this.buckets.set(s, (this.buckets.get(s) ?? 0) + n);
    this.prune(s);
  }

  private prune(s: number): void {
    for (const k of this.buckets.keys()) if (k <= s - WINDOW_S) this.buckets.delete(k);
  }

  /** Requests per second over the window. */
  rate(): number {
    const s = Math.floor(this.now() / 1000);
    this.prune(s);
    let total = 0;
    for (const v of this.buckets.values()) total += v;
    return total / WINDOW_S;
  }

  /** CPU the served requests use now, in millicores. */
  millicores(): number {
    return this.rate() * REQUEST_CPU_MILLICORE_SECONDS;
  }
}
