"use client";

import { Tabs } from "@nuage/ui";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { canManage } from "~/lib/roles";
import { useMe } from "../portal/me-context";

export function SettingsTabs() {
  const path = usePathname();
  const me = useMe();
  const items = [
    { id: "org", label: "Organization", href: "/settings" },
    { id: "members", label: "Members", href: "/settings/members" },
    { id: "tokens", label: "API tokens", href: "/settings/tokens" },
    ...(canManage(me.currentOrg?.role) ? [{ id: "audit", label: "Audit log", href: "/settings/audit" }] : []),
  ];
  const active = items.slice(1).find((i) => path.startsWith(i.href))?.id ?? "org";
  return (
    <Tabs
      items={items}
      active={active}
      renderLink={(item, className, current) => (
        <Link href={item.href} className={className} aria-current={current ? "page" : undefined}>
          {item.label}
        </Link>
      )}
    />
  );
}
