import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { MeProvider } from "~/components/portal/me-context";
import { TopBar } from "~/components/portal/top-bar";
import { getMe, isSignedIn } from "~/lib/me-server";
import { TenantBanners } from "../admin/_components/tenant-banners";

export default async function PortalLayout({ children }: { children: ReactNode }) {
  // No session, or one the server ended (password reset, deleted user): sign in again.
  if (!(await isSignedIn())) redirect("/signin");
  const me = await getMe();
  return (
    <MeProvider me={me}>
      <div className="min-h-screen">
        <TopBar />
        <TenantBanners me={me} />
        <main className="mx-auto max-w-6xl px-4 py-8 sm:px-6">{children}</main>
      </div>
    </MeProvider>
  );
}
