import type { Metadata } from "next";
import { ClusterAccess } from "~/components/clusters/access";

export const metadata: Metadata = { title: "Cluster access" };

export default function ClusterAccessPage() {
  return <ClusterAccess />;
}
