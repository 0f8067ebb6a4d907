import type { Metadata } from "next";
import { ClustersList } from "../_components/clusters";

export const metadata: Metadata = { title: "Clusters" };

export default function AdminClustersPage() {
  return <ClustersList />;
}
