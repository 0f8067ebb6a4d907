import type { Metadata } from "next";
import { ClusterSettings } from "~/components/clusters/settings";

export const metadata: Metadata = { title: "Cluster settings" };

export default function ClusterSettingsPage() {
  return <ClusterSettings />;
}
