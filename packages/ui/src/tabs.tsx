import type { ReactNode } from "react";
import { cn } from "./cn.ts";

export interface TabItem {
  id: string;
  label: ReactNode;
  href: string;
}

/**
 * Navigation tabs rendered as links, so each tab has its own URL and works with the keyboard
 * and the browser history. `renderLink` lets an app use its router's link component.
 */
export function Tabs({
  items,
  active,
  renderLink,
}: {
  items: TabItem[];
  active: string;
  renderLink?: (item: TabItem, className: string, current: boolean) => ReactNode;
}) {
  return (
    <nav aria-label="Tabs" className="border-b border-slate-200">
      <ul className="-mb-px flex gap-6">
        {items.map((item) => {
          const current = item.id === active;
          const className = cn(
            "inline-block border-b-2 px-1 pb-3 text-sm font-medium whitespace-nowrap",
            current
              ? "border-indigo-600 text-indigo-600"
              : "border-transparent text-slate-500 hover:border-slate-300 hover:text-slate-700",
          );
          return (
            <li key={item.id}>
              {renderLink ? (
                renderLink(item, className, current)
              ) : (
                <a href={item.href} className={className} aria-current={current ? "page" : undefined}>
                  {item.label}
                </a>
              )}
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
