import type { BadgeTone } from "@nuage/ui";

/** Cluster statuses as the API reports them, with the tone and words the portal shows. */
export const CLUSTER_STATUS: Record<string, { label: string; tone: BadgeTone }> = {
  provisioning: { label: "Provisioning", tone: "blue" },
  running: { label: "Running", tone: "green" },
  updating: { label: "Updating", tone: "blue" },
  degraded: { label: "Degraded", tone: "amber" },
  deleting: { label: "Deleting", tone: "amber" },
  deleted: { label: "Deleted", tone: "gray" },
  error: { label: "Error", tone: "red" },
};

export const OPERATION_TYPE: Record<string, string> = {
  create: "Create cluster",
  update: "Update cluster",
  upgrade: "Upgrade version",
  delete: "Delete cluster",
};

/** Whether the cluster is in the middle of a change (its steps are worth watching). */
export function isBusy(status: string): boolean {
  return status === "provisioning" || status === "updating" || status === "deleting";
}

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2 });

/** Integer cents as dollars: 1234 → "$12.34". Cents stay integers until this point. */
export function formatCents(cents: number | bigint | null | undefined): string {
  if (cents === null || cents === undefined) return "—";
  const n = typeof cents === "bigint" ? Number(cents) : cents;
  const dollars = Math.trunc(n / 100);
  const rest = Math.abs(n % 100);
  return usd.format(Number(`${dollars}.${String(rest).padStart(2, "0")}`));
}

/**
 * A price-book amount in micro-cents (1 cent = 1,000,000) in the book's currency, with the sub-cent digits
 * unit prices need: 2_250_000 EUR → "€0.0225". Exact: the micro-cents are split in integers first.
 */
export function formatMicro(micro: number, currency = "EUR"): string {
  const cents = Math.trunc(micro / 1_000_000);
  const frac = Math.abs(micro % 1_000_000);
  // cents with up to 4 more digits (hundred-thousandths of the currency), trailing zeros dropped
  const digits = String(Math.round(frac / 100))
    .padStart(4, "0")
    .replace(/0+$/, "");
  const major = `${Math.trunc(cents / 100)}.${String(Math.abs(cents % 100)).padStart(2, "0")}${digits}`;
  return new Intl.NumberFormat("en", {
    style: "currency",
    currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: 6,
  }).format(Number(major));
}

/** Whole cents in the price book's currency: 1234 EUR → "€12.34". */
export function formatMinor(cents: number, currency = "EUR"): string {
  return new Intl.NumberFormat("en", { style: "currency", currency }).format(cents / 100);
}

/** Hours in a month as cloud price lists count them (730 h). */
export const HOURS_PER_MONTH = 730;

/** Memory in MiB as "512 MiB", "4 GiB", "1.5 GiB". */
export function formatMemory(mib: number | null | undefined): string {
  if (mib === null || mib === undefined) return "—";
  if (mib < 1024) return `${mib} MiB`;
  const gib = mib / 1024;
  return `${Number.isInteger(gib) ? gib : gib.toFixed(1)} GiB`;
}

/** Age of a resource the way kubectl prints it: 45s, 12m, 3h, 5d. */
export function formatAge(value: Date | string | null | undefined, now = Date.now()): string {
  if (!value) return "—";
  const d = typeof value === "string" ? new Date(value) : value;
  const s = Math.max(0, Math.floor((now - d.getTime()) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** A step's elapsed time: "1.2 s", "34 s", "2 min 5 s". */
export function formatDuration(start: Date | string | null | undefined, end: Date | string | null | undefined): string {
  if (!start) return "";
  const a = new Date(start).getTime();
  const b = end ? new Date(end).getTime() : Date.now();
  const ms = Math.max(0, b - a);
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** DNS label (RFC 1123) as Kubernetes and the API require for cluster and pool names. */
export const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

export function dnsLabelError(value: string, what: string): string | undefined {
  if (!value) return `Enter a ${what}.`;
  if (value.length > 40) return `The ${what} must be 40 characters or fewer.`;
  if (!DNS_LABEL.test(value))
    return `Use lowercase letters, digits and hyphens; start with a letter, end with a letter or digit (e.g. "web-prod").`;
  return undefined;
}
