import type { Metadata } from "next";
import { ClusterDetail } from "../../_components/cluster";

export const metadata: Metadata = { title: "Cluster" };

export default async function AdminClusterPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ClusterDetail id={id} />;
}
