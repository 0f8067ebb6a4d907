import type { Metadata } from "next";
import { NoOrg } from "~/components/portal/no-org";
import { getMe } from "~/lib/me-server";
import { HydrateClient } from "~/trpc/server";
import { BillingView } from "./billing-view";

export const metadata: Metadata = { title: "Billing" };

export default async function BillingPage() {
  const me = await getMe();
  if (!me.currentOrg) return <NoOrg />;
  return (
    <HydrateClient>
      <BillingView />
    </HydrateClient>
  );
}
