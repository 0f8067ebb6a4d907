"use client";

import { Button, EmptyState } from "@nuage/ui";
import { useState } from "react";
import { CreateOrgDialog } from "./create-org-dialog";

export function NoOrg() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <EmptyState
        title="You are not in any organization"
        description="Create one to start, or ask a colleague to invite you to theirs."
        action={<Button onClick={() => setOpen(true)}>Create organization</Button>}
      />
      <CreateOrgDialog open={open} onClose={() => setOpen(false)} />
    </>
  );
}
