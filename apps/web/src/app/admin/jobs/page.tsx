import type { Metadata } from "next";
import { Jobs } from "../_components/jobs";

export const metadata: Metadata = { title: "Jobs" };

export default function JobsPage() {
  return <Jobs />;
}
