// The platform's clock. Code that dates usage, invoices or billing periods asks `now()` instead of
// `new Date()`, so tests can run months in seconds: in-process with `setClock`, or in spawned
// processes (the worker) with NUAGE_TEST_CLOCK_OFFSET_MS, honoured only when NUAGE_TEST=1.

let override: (() => Date) | null = null;

function envOffsetMs(): number {
  if (process.env.NUAGE_TEST !== "1") return 0;
  const raw = process.env.NUAGE_TEST_CLOCK_OFFSET_MS;
  const n = raw ? Number(raw) : 0;
  return Number.isFinite(n) ? n : 0;
}

export function now(): Date {
  if (override) return override();
  return new Date(Date.now() + envOffsetMs());
}

/** Tests only: replace the clock (a fixed date, or a function); `null` restores the real one. */
export function setClock(clock: Date | (() => Date) | null): void {
  if (clock === null) override = null;
  else if (clock instanceof Date) {
    const fixed = new Date(clock);
    override = () => new Date(fixed);
  } else override = clock;
}
