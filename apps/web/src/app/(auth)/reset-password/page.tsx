import type { Metadata } from "next";
import Link from "next/link";
import { AuthHeading } from "~/components/auth/heading";
import { ResetPasswordForm } from "~/components/auth/reset-form";

export const metadata: Metadata = { title: "Choose a new password" };

export default async function ResetPasswordPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { token } = await searchParams;
  if (typeof token !== "string" || !token)
    return (
      <>
        <AuthHeading title="Link incomplete" subtitle="This reset link has no token. Ask for a new one." />
        <Link href="/forgot-password" className="text-sm font-medium text-indigo-600 hover:text-indigo-500">
          Send a new reset link
        </Link>
      </>
    );
  return (
    <>
      <AuthHeading title="Choose a new password" />
      <ResetPasswordForm token={token} />
    </>
  );
}
