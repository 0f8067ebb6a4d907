import { buttonClasses } from "@nuage/ui";
import Link from "next/link";

export default function NotFound() {
  return (
    <div className="flex min-h-[60vh] flex-col items-center justify-center px-6 text-center">
      <p className="text-sm font-semibold text-indigo-600">404</p>
      <h1 className="mt-2 text-2xl font-semibold tracking-tight text-slate-900">Not found</h1>
      <p className="mt-2 max-w-md text-sm text-slate-500">This page does not exist, or you do not have access to it.</p>
      <Link href="/dashboard" className={`${buttonClasses("primary")} mt-6`}>
        Back to your dashboard
      </Link>
    </div>
  );
}
