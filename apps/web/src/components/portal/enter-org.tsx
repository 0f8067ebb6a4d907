"use client";

import { Spinner } from "@nuage/ui";
import { useEffect } from "react";
import { switchOrg } from "~/lib/org-cookie";

/** Makes the org of a deep link current, then opens the page it points to. */
export function EnterOrg({ orgId, to }: { orgId: string; to: string }) {
  useEffect(() => {
    switchOrg(orgId, to);
  }, [orgId, to]);
  return (
    <div className="flex items-center justify-center gap-3 py-16 text-sm text-slate-500">
      <Spinner /> Opening…
    </div>
  );
}
