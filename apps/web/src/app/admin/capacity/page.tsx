import type { Metadata } from "next";
import { Capacity } from "../_components/capacity";

export const metadata: Metadata = { title: "Capacity" };

export default function CapacityPage() {
  return <Capacity />;
}
