import Link from "next/link";

export function Logo({ href = "/", compact = false }: { href?: string; compact?: boolean }) {
  return (
    <Link
      href={href}
      aria-label="Nuage"
      className="inline-flex shrink-0 items-center gap-2 font-semibold text-slate-900"
    >
      <svg viewBox="0 0 32 32" className="h-7 w-7 text-indigo-600" aria-hidden="true">
        <path fill="currentColor" d="M24.5 13.2A8.5 8.5 0 0 0 8.1 11 6.5 6.5 0 0 0 9 24h15a5.5 5.5 0 0 0 .5-10.8Z" />
      </svg>
      <span className={compact ? "hidden text-lg tracking-tight sm:inline" : "text-lg tracking-tight"}>Nuage</span>
    </Link>
  );
}
