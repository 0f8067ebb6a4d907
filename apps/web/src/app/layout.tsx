import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TRPCReactProvider } from "~/trpc/client";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Nuage", template: "%s · Nuage" },
  description: "Managed Kubernetes you run yourself",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </body>
    </html>
  );
}
