"use client";

import { Banner, Button, Dialog } from "@nuage/ui";
import { useState } from "react";

/** The new token, shown once: it cannot be read again after this dialog closes. */
export function TokenCreatedDialog({ token, onClose }: { token: string | null; onClose: () => void }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    if (!token) return;
    try {
      await navigator.clipboard.writeText(token);
      setCopied(true);
    } catch {
      // Clipboard refused (insecure context): the field is selected for a manual copy.
      (document.getElementById("new-token") as HTMLInputElement | null)?.select();
    }
  }
  return (
    <Dialog
      open={token !== null}
      onClose={() => {
        setCopied(false);
        onClose();
      }}
      title="Your new API token"
      description="Copy it now and keep it somewhere safe. You will not be able to see it again."
      footer={
        <Button
          onClick={() => {
            setCopied(false);
            onClose();
          }}
        >
          Done
        </Button>
      }
    >
      <div className="space-y-3">
        <label htmlFor="new-token" className="sr-only">
          API token
        </label>
        <div className="flex gap-2">
          <input
            id="new-token"
            readOnly
            value={token ?? ""}
            data-testid="new-token"
            onFocus={(e) => e.currentTarget.select()}
            className="block w-full rounded-md border-0 bg-slate-50 px-3 py-2 font-mono text-xs text-slate-900 ring-1 ring-slate-300 ring-inset"
          />
          <Button variant="secondary" onClick={copy}>
            {copied ? "Copied" : "Copy"}
          </Button>
        </div>
        <Banner tone="info">
          Use it as <code className="font-mono text-xs">Authorization: Bearer &lt;token&gt;</code> against{" "}
          <code className="font-mono text-xs">/api/v1</code>.
        </Banner>
      </div>
    </Dialog>
  );
}
