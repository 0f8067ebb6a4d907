import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { NoOrg } from "~/components/portal/no-org";
import { SettingsTabs } from "~/components/settings/settings-tabs";
import { getMe } from "~/lib/me-server";
import { getCaller } from "~/trpc/server";

export default async function SettingsLayout({ children }: { children: ReactNode }) {
  // A user who left every org has nothing to configure yet.
  if (!(await getMe()).currentOrg) return <NoOrg />;
  let org: { name: string };
  try {
    org = await (await getCaller()).org.get();
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "NOT_FOUND" || code === "FORBIDDEN") notFound();
    throw e;
  }
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm text-slate-500">Settings</p>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{org.name}</h1>
      </div>
      <SettingsTabs />
      <div>{children}</div>
    </div>
  );
}
