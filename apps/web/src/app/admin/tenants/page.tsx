import type { Metadata } from "next";
import { Tenants } from "../_components/tenants";

export const metadata: Metadata = { title: "Tenants" };

export default function TenantsPage() {
  return <Tenants />;
}
