import type { Metadata } from "next";
import { AuthHeading } from "~/components/auth/heading";
import { VerifyEmail } from "~/components/auth/verify-email";
import { isSignedIn } from "~/lib/me-server";

export const metadata: Metadata = { title: "Verify your e-mail" };

export default async function VerifyEmailPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { token } = await searchParams;
  const signedIn = Boolean(await isSignedIn());
  return (
    <>
      <AuthHeading title="Verify your e-mail" />
      {typeof token === "string" && token ? (
        <VerifyEmail token={token} signedIn={signedIn} />
      ) : (
        <p className="text-sm text-slate-600">This link has no token. Open the link from the e-mail we sent you.</p>
      )}
    </>
  );
}
