import { CronExpressionParser } from "cron-parser";

// CronJob schedules: the standard 5-field syntax of robfig/cron as Kubernetes accepts it (lists,
// ranges, steps, month/day names, `?`) and the macros @yearly/@annually, @monthly, @weekly,
// @daily/@midnight, @hourly, evaluated in `spec.timeZone` (IANA name; default the controller's UTC).

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

export interface Schedule {
  /** Scheduled times in (after, until], oldest first, at most `limit` + 1 of them. */
  between(after: Date, until: Date, limit?: number): Date[];
  next(after: Date): Date;
}

/** Parses a schedule; throws an Error whose message says what is wrong (for the API's 422). */
export function parseSchedule(schedule: string, timeZone?: string): Schedule {
  const raw = schedule.trim();
  if (/^(CRON_)?TZ=/.test(raw)) {
    throw new Error("cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
  }
  const expr = MACROS[raw.toLowerCase()] ?? raw;
  if (expr.startsWith("@")) throw new Error(`unrecognized descriptor: ${raw}`);
  const fields = expr.split(/\s+/);
  if (fields.length !== 5) throw new Error(`expected exactly 5 fields, found ${fields.length}: ${raw}`);
  const tz = timeZone || "UTC";
  if (timeZone) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone });
    } catch {
      throw new Error(`unknown time zone ${timeZone}`);
    }
  }
  const normalized = fields.map((f) => (f === "?" ? "*" : f)).join(" ");
  // Validates now, so a bad field is reported at admission, not by the controller.
  CronExpressionParser.parse(normalized, { tz, currentDate: new Date(0) });
  const iter = (from: Date) => CronExpressionParser.parse(normalized, { tz, currentDate: from });
  return {
    between(after, until, limit = 100) {
      const out: Date[] = [];
      const it = iter(after);
      for (;;) {
        const d = it.next().toDate();
        if (d.getTime() > until.getTime()) break;
        out.push(d);
        if (out.length > limit) out.shift();
      }
      return out;
    },
    next(after) {
      return iter(after).next().toDate();
    },
  };
}
