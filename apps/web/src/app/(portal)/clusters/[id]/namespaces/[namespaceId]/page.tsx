import type { Metadata } from "next";
import { NamespaceDetail } from "~/components/namespaces/namespace-detail";

export const metadata: Metadata = { title: "Namespace" };

export default function NamespacePage() {
  return <NamespaceDetail />;
}
