import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { MeProvider } from "~/components/portal/me-context";
import { TopBar } from "~/components/portal/top-bar";
import { type Me, toMe } from "~/lib/me";
import { getSession } from "~/lib/session";
import { getCaller } from "~/trpc/server";

export default async function PortalLayout({ children }: { children: ReactNode }) {
  if (!(await getSession())) redirect("/signin");
  let me: Me;
  try {
    me = toMe(await (await getCaller()).me.get());
  } catch {
    // A session whose user no longer exists: start over.
    redirect("/signin");
  }
  return (
    <MeProvider me={me}>
      <div className="min-h-screen">
        <TopBar />
        <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
      </div>
    </MeProvider>
  );
}
