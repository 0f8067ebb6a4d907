"use client";

import { Button } from "@nuage/ui";
import { signIn } from "next-auth/react";
import { useState } from "react";

const LABEL: Record<"github" | "google", string> = { github: "Continue with GitHub", google: "Continue with Google" };

/** Buttons for the OAuth providers the operator switched on (none by default). */
export function OAuthButtons({ providers, next }: { providers: ("github" | "google")[]; next: string }) {
  const [pending, setPending] = useState<string | null>(null);
  if (providers.length === 0) return null;
  return (
    <div className="mb-6 space-y-3">
      {providers.map((p) => (
        <Button
          key={p}
          variant="secondary"
          className="w-full"
          pending={pending === p}
          disabled={pending !== null}
          onClick={() => {
            setPending(p);
            void signIn(p, { callbackUrl: next });
          }}
        >
          {LABEL[p]}
        </Button>
      ))}
      <div className="flex items-center gap-3 text-xs text-slate-400">
        <span className="h-px flex-1 bg-slate-200" /> or with your e-mail <span className="h-px flex-1 bg-slate-200" />
      </div>
    </div>
  );
}
