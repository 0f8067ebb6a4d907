import type { Metadata } from "next";
import { OrgForm } from "~/components/settings/org-form";

export const metadata: Metadata = { title: "Organization settings" };

export default function OrgSettingsPage() {
  return <OrgForm />;
}
