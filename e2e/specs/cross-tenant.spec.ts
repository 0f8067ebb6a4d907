import { BASE_URL, trpc, trpcRaw } from "../support/api.ts";
import { expect, makeTenant, test } from "../support/fixtures.ts";

test("a user of org B cannot open org A's settings or touch its objects", async ({ tenant: a, browser }) => {
  // Objects of org A: an API token and a pending invitation.
  const tokenA = await trpc<{ id: string }>(a.page.request, "tokens.create", { name: "org-a-token", scope: "read" });
  const invA = await trpc<{ id?: string; invitation?: { id: string } }>(a.page.request, "invitations.create", {
    email: `pending-${Date.now()}@e2e.nuage.test`,
    role: "member",
  });
  const invitationId = invA.invitation?.id ?? invA.id!;

  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    const b = await makeTenant(page, "orgb");
    for (const path of ["settings", "settings/members", "settings/tokens", "settings/audit", "dashboard"]) {
      await page.goto(`/orgs/${a.orgId}/${path}`);
      await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
      await expect(page.getByText(a.user.orgName)).toHaveCount(0);
    }

    // Pointing the current-org cookie at org A does not open it: B stays in B.
    await context.addCookies([{ name: "nuage_org", value: a.orgId, url: BASE_URL }]);
    await page.goto("/settings/tokens");
    await expect(page.getByText(a.user.orgName)).toHaveCount(0);
    await expect(page.getByText("org-a-token")).toHaveCount(0);
    await expect(page.getByRole("heading", { name: b.user.orgName })).toBeVisible();

    // Naming org A explicitly is refused; objects of A addressed by id are not found.
    const explicit = await page.request.get("/api/trpc/tokens.list", { headers: { "x-nuage-org": a.orgId } });
    expect([403, 404]).toContain(explicit.status());
    const revokeToken = await trpcRaw(page.request, "tokens.revoke", { id: tokenA.id });
    expect(revokeToken.status()).toBe(404);
    const revokeInvite = await trpcRaw(page.request, "invitations.revoke", { id: invitationId });
    expect(revokeInvite.status()).toBe(404);
    const removeOwner = await trpcRaw(page.request, "members.remove", { userId: await ownerId(a) });
    expect(removeOwner.status()).toBe(404);
  } finally {
    await context.close();
  }

  // Org A's objects are untouched.
  const tokens = await trpc<Array<{ id: string; revokedAt: unknown }>>(
    a.page.request,
    "tokens.list",
    undefined,
    "query",
  );
  expect(tokens.find((t) => t.id === tokenA.id)?.revokedAt).toBeNull();
});

async function ownerId(t: { page: import("@playwright/test").Page }): Promise<string> {
  const me = await trpc<{ user: { id: string } }>(t.page.request, "me.get", undefined, "query");
  return me.user.id;
}
