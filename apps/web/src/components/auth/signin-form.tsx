"use client";

import { Banner, Button, Input } from "@nuage/ui";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { type FormEvent, useState } from "react";

/** Only same-site paths are followed after sign-in (next-auth may hand over an absolute URL). */
function safeNext(next: string | null): string {
  if (!next) return "/dashboard";
  try {
    const url = new URL(next, window.location.origin);
    if (url.origin !== window.location.origin || url.pathname.startsWith("/signin")) return "/dashboard";
    return url.pathname + url.search;
  } catch {
    return "/dashboard";
  }
}

export function SignInForm({
  next,
  invite,
  notice,
  initialError,
}: {
  next: string | null;
  invite: string | null;
  notice?: string;
  initialError?: string;
}) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(initialError ?? null);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setPending(true);
    setError(null);
    const res = await signIn("credentials", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
    });
    if (!res || res.error) {
      setPending(false);
      // The server's message (wrong credentials, too many attempts…); next-auth's code otherwise.
      const msg = res?.error;
      setError(msg && msg !== "CredentialsSignin" ? msg : "Wrong e-mail or password");
      return;
    }
    router.replace(invite ? `/invite/${encodeURIComponent(invite)}` : safeNext(next));
    router.refresh();
  }

  const suffix = invite ? `?invite=${encodeURIComponent(invite)}` : "";
  return (
    <form onSubmit={onSubmit} className="space-y-5" noValidate>
      {notice ? <Banner tone="success">{notice}</Banner> : null}
      {error ? <Banner tone="error">{error}</Banner> : null}
      <Input label="E-mail" name="email" type="email" autoComplete="email" required autoFocus />
      <Input label="Password" name="password" type="password" autoComplete="current-password" required />
      <div className="flex items-center justify-end text-sm">
        <Link href="/forgot-password" className="font-medium text-indigo-600 hover:text-indigo-500">
          Forgot your password?
        </Link>
      </div>
      <Button type="submit" pending={pending} className="w-full">
        Sign in
      </Button>
      <p className="text-center text-sm text-slate-500">
        New to Nuage?{" "}
        <Link href={`/signup${suffix}`} className="font-medium text-indigo-600 hover:text-indigo-500">
          Create an account
        </Link>
      </p>
    </form>
  );
}
