import type { Metadata } from "next";
import { ClusterEvents } from "~/components/clusters/events";

export const metadata: Metadata = { title: "Cluster events" };

export default function ClusterEventsPage() {
  return <ClusterEvents />;
}
