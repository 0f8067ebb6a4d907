import type { Metadata } from "next";
import { CreateNamespaceForm } from "~/components/namespaces/create-form";

export const metadata: Metadata = { title: "Create a namespace" };

export default function NewNamespacePage() {
  return <CreateNamespaceForm />;
}
