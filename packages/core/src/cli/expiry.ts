import { AppError } from "../errors.ts";

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** "30d", "12h", "90m", "2w" from now, or an ISO 8601 date; must be in the future. */
export function parseExpiry(value: string, now = new Date()): Date {
  const v = value.trim();
  const rel = /^(\d+)\s*([mhdw])$/i.exec(v);
  let date: Date;
  if (rel) date = new Date(now.getTime() + Number(rel[1]) * UNITS[rel[2]!.toLowerCase()]!);
  else if (/^\d{4}-\d{2}-\d{2}/.test(v)) date = new Date(v);
  else date = new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw new AppError("BAD_REQUEST", `--expires must be an ISO date (2027-01-31) or a duration like 30d, 12h`, {
      field: "expires",
    });
  }
  if (date <= now) throw new AppError("BAD_REQUEST", "--expires must be in the future", { field: "expires" });
  return date;
}
