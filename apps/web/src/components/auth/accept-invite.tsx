"use client";

import { Banner, Button } from "@nuage/ui";
import { useMutation } from "@tanstack/react-query";
import { switchOrg } from "~/lib/org-cookie";
import { useTRPC } from "~/trpc/client";

export function AcceptInvite({
  token,
  orgId,
  orgName,
}: {
  token: string;
  orgId?: string | undefined;
  orgName: string;
}) {
  const trpc = useTRPC();
  const accept = useMutation(
    trpc.invitations.accept.mutationOptions({
      onSuccess: (res) => {
        const id = res.orgId ?? orgId;
        if (id) switchOrg(id);
        else window.location.assign("/dashboard");
      },
    }),
  );
  return (
    <div className="space-y-4">
      {accept.error ? <Banner tone="error">{accept.error.message}</Banner> : null}
      <Button
        className="w-full"
        pending={accept.isPending || accept.isSuccess}
        onClick={() => accept.mutate({ token })}
      >
        Join {orgName}
      </Button>
    </div>
  );
}
