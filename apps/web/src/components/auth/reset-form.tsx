"use client";

import { Banner, Button, Input } from "@nuage/ui";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { fieldErrors, formError } from "~/lib/errors";
import { useTRPC } from "~/trpc/client";
import { PASSWORD_HINT, passwordProblem } from "./password-policy";

export function ResetPasswordForm({ token }: { token: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [local, setLocal] = useState<{ password?: string; confirm?: string }>({});
  const reset = useMutation(
    trpc.auth.resetPassword.mutationOptions({ onSuccess: () => router.push("/signin?notice=reset") }),
  );
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const password = String(f.get("password") ?? "");
    const confirm = String(f.get("confirm") ?? "");
    const errs: typeof local = {};
    errs.password = passwordProblem(password);
    if (!errs.password && password !== confirm) errs.confirm = "The two passwords differ.";
    setLocal(errs);
    if (errs.password || errs.confirm) return;
    reset.mutate({ token, password });
  }
  const top = formError(reset.error, ["password"]);
  return (
    <form onSubmit={onSubmit} className="space-y-5" noValidate>
      {top ? <Banner tone="error">{top}</Banner> : null}
      <Input
        label="New password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        autoFocus
        hint={PASSWORD_HINT}
        error={local.password ?? fieldErrors(reset.error).password}
      />
      <Input
        label="Confirm new password"
        name="confirm"
        type="password"
        autoComplete="new-password"
        required
        error={local.confirm}
      />
      <Button type="submit" pending={reset.isPending} className="w-full">
        Change password
      </Button>
    </form>
  );
}
