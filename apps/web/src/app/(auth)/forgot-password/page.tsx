import type { Metadata } from "next";
import { ForgotPasswordForm } from "~/components/auth/forgot-form";
import { AuthHeading } from "~/components/auth/heading";

export const metadata: Metadata = { title: "Reset your password" };

export default function ForgotPasswordPage() {
  return (
    <>
      <AuthHeading title="Reset your password" subtitle="We will e-mail you a link to choose a new one." />
      <ForgotPasswordForm />
    </>
  );
}
