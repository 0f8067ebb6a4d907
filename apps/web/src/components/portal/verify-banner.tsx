"use client";

import { Banner, Button } from "@nuage/ui";
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "~/trpc/client";

export function VerifyBanner({ email }: { email: string }) {
  const trpc = useTRPC();
  const resend = useMutation(trpc.auth.resendVerification.mutationOptions());
  return (
    <Banner
      tone="warning"
      title="Verify your e-mail to create clusters"
      actions={
        <Button size="sm" variant="secondary" pending={resend.isPending} onClick={() => resend.mutate()}>
          Resend
        </Button>
      }
    >
      {resend.isSuccess
        ? `We sent a new link to ${email}.`
        : resend.error
          ? resend.error.message
          : `We sent a link to ${email}. Open it to confirm your address.`}
    </Banner>
  );
}
