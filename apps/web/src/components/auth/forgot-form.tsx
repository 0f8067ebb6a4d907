"use client";

import { Banner, Button, Input } from "@nuage/ui";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import type { FormEvent } from "react";
import { fieldErrors, formError } from "~/lib/errors";
import { useTRPC } from "~/trpc/client";

export function ForgotPasswordForm() {
  const trpc = useTRPC();
  const request = useMutation(trpc.auth.requestPasswordReset.mutationOptions());
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const email = String(new FormData(e.currentTarget).get("email") ?? "").trim();
    request.mutate({ email });
  }
  if (request.isSuccess)
    return (
      <div className="space-y-5">
        <Banner tone="success" title="Check your inbox">
          If an account uses that address, we sent it a link to choose a new password. The link is valid for a limited
          time.
        </Banner>
        <Link href="/signin" className="text-sm font-medium text-indigo-600 hover:text-indigo-500">
          Back to sign in
        </Link>
      </div>
    );
  const top = formError(request.error, ["email"]);
  return (
    <form onSubmit={onSubmit} className="space-y-5" noValidate>
      {top ? <Banner tone="error">{top}</Banner> : null}
      <Input
        label="E-mail"
        name="email"
        type="email"
        autoComplete="email"
        required
        autoFocus
        error={fieldErrors(request.error).email}
      />
      <Button type="submit" pending={request.isPending} className="w-full">
        Send reset link
      </Button>
      <p className="text-center text-sm">
        <Link href="/signin" className="font-medium text-indigo-600 hover:text-indigo-500">
          Back to sign in
        </Link>
      </p>
    </form>
  );
}
