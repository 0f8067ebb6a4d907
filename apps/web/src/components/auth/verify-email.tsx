"use client";

import { Banner, buttonClasses, Spinner } from "@nuage/ui";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef } from "react";
import { useTRPC } from "~/trpc/client";

/** Consumes the verification token once (also under React's double effects in development). */
export function VerifyEmail({ token, signedIn }: { token: string; signedIn: boolean }) {
  const trpc = useTRPC();
  const verify = useMutation(trpc.auth.verifyEmail.mutationOptions());
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    verify.mutate({ token });
  }, [token, verify]);

  if (verify.isSuccess)
    return (
      <div className="space-y-5">
        <Banner tone="success" title="E-mail verified">
          Your address is confirmed. You can now create clusters.
        </Banner>
        <Link
          href={signedIn ? "/dashboard" : "/signin?notice=verified"}
          className={buttonClasses("primary", "md", "w-full")}
        >
          {signedIn ? "Go to your dashboard" : "Sign in"}
        </Link>
      </div>
    );
  if (verify.isError)
    return (
      <div className="space-y-5">
        <Banner tone="error" title="Verification failed">
          {verify.error.message || "This link is not valid or has expired."}
        </Banner>
        <p className="text-sm text-slate-600">
          {signedIn
            ? "Use “Resend” on your dashboard to get a new link."
            : "Sign in and use “Resend” on your dashboard to get a new link."}
        </p>
        <Link href={signedIn ? "/dashboard" : "/signin"} className={buttonClasses("secondary", "md", "w-full")}>
          {signedIn ? "Go to your dashboard" : "Sign in"}
        </Link>
      </div>
    );
  return (
    <div className="flex items-center gap-3 text-sm text-slate-600">
      <Spinner /> Verifying your e-mail…
    </div>
  );
}
