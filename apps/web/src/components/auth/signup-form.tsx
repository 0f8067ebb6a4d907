"use client";

import { Banner, Button, Input } from "@nuage/ui";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { type FormEvent, useState } from "react";
import { type FieldErrors, fieldErrors, formError } from "~/lib/errors";
import { setCurrentOrg } from "~/lib/org-cookie";
import { useTRPC } from "~/trpc/client";
import { PASSWORD_HINT, PASSWORD_MIN, passwordProblem } from "./password-policy";

export interface InviteSummary {
  token: string;
  email: string;
  orgName: string;
  orgId?: string | undefined;
  role: string;
}

export function SignUpForm({ invite }: { invite: InviteSummary | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const signUp = useMutation(trpc.auth.signUp.mutationOptions());
  const [local, setLocal] = useState<FieldErrors>({});
  const [signingIn, setSigningIn] = useState(false);
  const [signInError, setSignInError] = useState<string | null>(null);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const input = {
      name: String(f.get("name") ?? "").trim(),
      email: invite ? invite.email : String(f.get("email") ?? "").trim(),
      password: String(f.get("password") ?? ""),
      orgName: invite ? invite.orgName : String(f.get("orgName") ?? "").trim(),
      ...(invite ? { invitationToken: invite.token } : {}),
    };
    const errs: FieldErrors = {};
    if (!input.name) errs.name = "Enter your name.";
    if (!input.email) errs.email = "Enter your e-mail address.";
    errs.password = passwordProblem(input.password);
    if (!input.orgName) errs.orgName = "Name your organization.";
    setLocal(errs);
    if (Object.values(errs).some(Boolean)) return;
    try {
      const res = await signUp.mutateAsync(input);
      setSigningIn(true);
      const orgId = res.orgId ?? invite?.orgId;
      if (orgId) setCurrentOrg(orgId);
      const r = await signIn("credentials", { email: input.email, password: input.password, redirect: false });
      if (!r || r.error) {
        setSigningIn(false);
        setSignInError("Your account was created, but signing in failed. Please sign in.");
        return;
      }
      router.replace("/dashboard");
      router.refresh();
    } catch {
      // shown from signUp.error
    }
  }

  const server = fieldErrors(signUp.error);
  const err = (k: string) => local[k] ?? server[k];
  const top = signInError ?? formError(signUp.error, ["name", "email", "password", "orgName"]);
  return (
    <form onSubmit={onSubmit} className="space-y-5" noValidate>
      {top ? <Banner tone="error">{top}</Banner> : null}
      <Input label="Your name" name="name" autoComplete="name" required autoFocus error={err("name")} />
      {invite ? (
        <Input
          label="E-mail"
          name="email"
          type="email"
          value={invite.email}
          readOnly
          hint="The invited address."
          error={err("email")}
        />
      ) : (
        <Input label="E-mail" name="email" type="email" autoComplete="email" required error={err("email")} />
      )}
      <Input
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        minLength={PASSWORD_MIN}
        hint={PASSWORD_HINT}
        error={err("password")}
      />
      {invite ? null : (
        <Input
          label="Organization name"
          name="orgName"
          autoComplete="organization"
          required
          hint="Your team or company. You can rename it later."
          error={err("orgName")}
        />
      )}
      <Button type="submit" pending={signUp.isPending || signingIn} className="w-full">
        {invite ? `Join ${invite.orgName}` : "Create account"}
      </Button>
      <p className="text-center text-sm text-slate-500">
        Already have an account?{" "}
        <Link
          href={invite ? `/signin?invite=${encodeURIComponent(invite.token)}` : "/signin"}
          className="font-medium text-indigo-600 hover:text-indigo-500"
        >
          Sign in
        </Link>
      </p>
    </form>
  );
}
