import type { Metadata } from "next";
import { ClusterOverview } from "~/components/clusters/overview";

export const metadata: Metadata = { title: "Cluster" };

export default function ClusterOverviewPage() {
  return <ClusterOverview />;
}
