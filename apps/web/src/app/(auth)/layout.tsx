import type { ReactNode } from "react";
import { Logo } from "~/components/logo";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col items-center justify-center px-4 py-12">
      <div className="mb-8">
        <Logo />
      </div>
      <main className="w-full max-w-md rounded-xl bg-white px-8 py-8 shadow-sm ring-1 ring-slate-200">{children}</main>
      <p className="mt-8 text-xs text-slate-400">Nuage · managed Kubernetes you run yourself</p>
    </div>
  );
}
