"use client";

import { Badge, cn } from "@nuage/ui";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { signOut } from "next-auth/react";
import { useState } from "react";
import { Logo } from "~/components/logo";
import { switchOrg } from "~/lib/org-cookie";
import { CreateOrgDialog } from "./create-org-dialog";
import { useMe } from "./me-context";
import { Menu, MenuItem } from "./menu";

const NAV = [
  { href: "/dashboard", label: "Dashboard" },
  { href: "/clusters", label: "Clusters" },
  { href: "/usage", label: "Usage" },
  { href: "/billing", label: "Billing" },
  { href: "/settings", label: "Settings" },
];

export function TopBar() {
  const me = useMe();
  const path = usePathname();
  const [creating, setCreating] = useState(false);
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex h-14 max-w-6xl items-center gap-2 px-4 sm:gap-6 sm:px-6">
        <Logo href="/dashboard" compact />
        <span className="hidden text-slate-300 sm:inline" aria-hidden="true">
          /
        </span>
        <Menu
          label="Switch organization"
          testId="org-switcher"
          button={<span className="max-w-28 truncate sm:max-w-48">{me.currentOrg?.name ?? "No organization"}</span>}
        >
          {(close) => (
            <>
              <p className="px-3 pt-1.5 pb-1 text-xs font-semibold tracking-wide text-slate-400 uppercase">
                Organizations
              </p>
              {me.orgs.map((o) => (
                <MenuItem
                  key={o.id}
                  active={o.id === me.currentOrg?.id}
                  onSelect={() => {
                    close();
                    if (o.id !== me.currentOrg?.id) switchOrg(o.id);
                  }}
                >
                  <span className="truncate">{o.name}</span>
                  <Badge>{o.role}</Badge>
                </MenuItem>
              ))}
              <div className="my-1 border-t border-slate-100" />
              <MenuItem
                onSelect={() => {
                  close();
                  setCreating(true);
                }}
              >
                + Create organization
              </MenuItem>
            </>
          )}
        </Menu>
        <nav className="flex items-center gap-1" aria-label="Main">
          {NAV.map((n) => {
            const current = path === n.href || path.startsWith(`${n.href}/`);
            return (
              <Link
                key={n.href}
                href={n.href}
                aria-current={current ? "page" : undefined}
                className={cn(
                  "rounded-md px-3 py-1.5 text-sm font-medium",
                  current ? "bg-slate-100 text-slate-900" : "text-slate-600 hover:text-slate-900",
                )}
              >
                {n.label}
              </Link>
            );
          })}
        </nav>
        <div className="ml-auto">
          <Menu
            label="Account"
            align="right"
            testId="user-menu"
            button={
              <span className="flex h-7 w-7 items-center justify-center rounded-full bg-indigo-600 text-xs font-semibold text-white">
                {(me.user.name || me.user.email).slice(0, 1).toUpperCase()}
              </span>
            }
          >
            {() => (
              <>
                <div className="border-b border-slate-100 px-3 py-2">
                  <p className="truncate text-sm font-medium text-slate-900">{me.user.name}</p>
                  <p className="truncate text-xs text-slate-500">{me.user.email}</p>
                </div>
                {me.user.isPlatformAdmin ? (
                  <MenuItem onSelect={() => window.location.assign("/admin")}>Admin console</MenuItem>
                ) : null}
                <MenuItem onSelect={() => signOut({ callbackUrl: "/signin" })}>Sign out</MenuItem>
              </>
            )}
          </Menu>
        </div>
      </div>
      <CreateOrgDialog open={creating} onClose={() => setCreating(false)} />
    </header>
  );
}
