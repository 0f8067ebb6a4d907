import type { Metadata } from "next";
import { ClusterOperations } from "~/components/clusters/operations";

export const metadata: Metadata = { title: "Cluster operations" };

export default function ClusterOperationsPage() {
  return <ClusterOperations />;
}
