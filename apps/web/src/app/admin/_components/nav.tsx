"use client";

import { cn } from "@nuage/ui";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { Logo } from "~/components/logo";

const NAV = [
  { href: "/admin", label: "Overview", exact: true },
  { href: "/admin/tenants", label: "Tenants" },
  { href: "/admin/clusters", label: "Clusters" },
  { href: "/admin/capacity", label: "Capacity" },
  { href: "/admin/jobs", label: "Jobs" },
  { href: "/admin/pricing", label: "Price book" },
  { href: "/admin/announcements", label: "Announcements" },
  { href: "/admin/audit", label: "Audit log" },
];

export function AdminNav({ email }: { email: string }) {
  const path = usePathname();
  return (
    <header className="border-b border-slate-800 bg-slate-900 text-white">
      <div className="mx-auto flex h-14 max-w-7xl items-center gap-4 px-4 sm:px-6">
        <Logo href="/admin" compact />
        <span className="rounded bg-amber-400 px-1.5 py-0.5 text-xs font-semibold text-slate-900">Admin</span>
        <nav className="flex flex-1 items-center gap-1 overflow-x-auto" aria-label="Admin">
          {NAV.map((n) => {
            const current = n.exact ? path === n.href : path === n.href || path.startsWith(`${n.href}/`);
            return (
              <Link
                key={n.href}
                href={n.href}
                aria-current={current ? "page" : undefined}
                className={cn(
                  "rounded-md px-3 py-1.5 text-sm font-medium whitespace-nowrap",
                  current ? "bg-slate-700 text-white" : "text-slate-300 hover:text-white",
                )}
              >
                {n.label}
              </Link>
            );
          })}
        </nav>
        <span className="hidden text-xs text-slate-400 lg:inline">{email}</span>
        <Link href="/dashboard" className="text-sm text-slate-300 hover:text-white">
          Portal
        </Link>
      </div>
    </header>
  );
}
