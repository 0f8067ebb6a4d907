import type { Metadata } from "next";
import type { ReactNode } from "react";
import { MeProvider } from "~/components/portal/me-context";
import { AdminNav } from "./_components/nav";
import { requireAdminPage } from "./_lib/guard";

export const metadata: Metadata = { title: { default: "Admin", template: "%s · Admin · Nuage" } };
export const dynamic = "force-dynamic";

export default async function AdminLayout({ children }: { children: ReactNode }) {
  const me = await requireAdminPage("/admin");
  return (
    <MeProvider me={me}>
      <div className="min-h-screen bg-slate-50">
        <AdminNav email={me.user.email} />
        <main className="mx-auto max-w-7xl px-4 py-8 sm:px-6">{children}</main>
      </div>
    </MeProvider>
  );
}
