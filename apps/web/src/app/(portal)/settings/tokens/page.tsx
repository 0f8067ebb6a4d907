import type { Metadata } from "next";
import { Tokens } from "~/components/settings/tokens";

export const metadata: Metadata = { title: "API tokens" };

export default function TokensPage() {
  return <Tokens />;
}
