"use client";

import { Banner, Button } from "@nuage/ui";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="mx-auto max-w-xl px-6 py-16">
      <Banner
        tone="error"
        title="Something went wrong"
        actions={
          <Button size="sm" variant="secondary" onClick={reset}>
            Try again
          </Button>
        }
      >
        {error.digest ? `Reference ${error.digest}.` : "Please try again in a moment."}
      </Banner>
    </div>
  );
}
