import { BASE_URL, trpc } from "../support/api.ts";
import { expect, test } from "../support/fixtures.ts";

test("an API token from the UI works against /api/v1 until it is revoked", async ({ tenant, page, playwright }) => {
  await page.goto("/settings/tokens");
  await expect(page.getByText("No API tokens yet.")).toBeVisible();
  await page.getByLabel("Name").fill("ci deploys");
  await page.getByLabel("Scope").selectOption("write");
  await page.getByRole("button", { name: "Create token" }).click();

  const dialog = page.getByRole("dialog", { name: "Your new API token" });
  await expect(dialog).toBeVisible();
  const token = await dialog.getByTestId("new-token").inputValue();
  expect(token).toMatch(/^nuage_/);
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(dialog).toBeHidden();

  const row = page.getByRole("row").filter({ hasText: "ci deploys" });
  await expect(row).toBeVisible();
  await expect(row.getByText("write")).toBeVisible();
  // The list shows a prefix only, never the token.
  await expect(page.getByText(token)).toHaveCount(0);

  const api = await playwright.request.newContext({ baseURL: BASE_URL });
  try {
    const ok = await api.get("/api/v1/me", { headers: { Authorization: `Bearer ${token}` } });
    expect(ok.status()).toBe(200);
    const body = (await ok.json()) as { user: { email: string }; currentOrg: { id: string; name: string } };
    expect(body.user.email).toBe(tenant.user.email);
    expect(body.currentOrg).toMatchObject({ id: tenant.orgId, name: tenant.user.orgName });

    await row.getByRole("button", { name: "Revoke ci deploys" }).click();
    const confirm = page.getByRole("dialog", { name: "Revoke token?" });
    await confirm.getByRole("button", { name: "Revoke token" }).click();
    await expect(confirm).toBeHidden();
    await expect(page.getByRole("row").filter({ hasText: "ci deploys" })).toHaveCount(0);

    const refused = await api.get("/api/v1/me", { headers: { Authorization: `Bearer ${token}` } });
    expect(refused.status()).toBe(401);

    // Both acts are in the audit log, by the owner.
    await page.goto("/settings/audit");
    await page.getByLabel("Action").fill("token.revoke");
    await page.getByLabel("Action").press("Enter");
    const revoked = page.getByRole("row").filter({ hasText: "token.revoke" });
    await expect(revoked).toHaveCount(1);
    await expect(revoked).toContainText(tenant.user.email);
    await expect(page.getByRole("row").filter({ hasText: "token.create" })).toHaveCount(0);
  } finally {
    await api.dispose();
  }
});

test("an expired API token gets 401", async ({ tenant: _owner, page, playwright }) => {
  // Created through the API with an expiry a moment ahead, then used after it passed.
  const created = await trpc<{ token: string }>(page.request, "tokens.create", {
    name: "short-lived",
    scope: "read",
    expiresAt: new Date(Date.now() + 1_500),
  });
  const api = await playwright.request.newContext({ baseURL: BASE_URL });
  try {
    const first = await api.get("/api/v1/me", { headers: { Authorization: `Bearer ${created.token}` } });
    expect(first.status()).toBe(200);
    await new Promise((r) => setTimeout(r, 2_000));
    const later = await api.get("/api/v1/me", { headers: { Authorization: `Bearer ${created.token}` } });
    expect(later.status()).toBe(401);
  } finally {
    await api.dispose();
  }
  await page.goto("/settings/tokens");
  await expect(page.getByRole("row").filter({ hasText: "short-lived" }).getByText("Expired")).toBeVisible();
});

test("the REST API describes itself and a read token cannot write", async ({ tenant, page, playwright }) => {
  const read = await trpc<{ token: string }>(page.request, "tokens.create", { name: "reader", scope: "read" });
  const api = await playwright.request.newContext({ baseURL: BASE_URL });
  try {
    const doc = await api.get("/api/v1/openapi.json");
    expect(doc.status()).toBe(200);
    const openapi = (await doc.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(["/me", "/tokens"]));

    const auth = { Authorization: `Bearer ${read.token}` };
    const list = await api.get("/api/v1/tokens", { headers: auth });
    expect(list.status()).toBe(200);
    expect(((await list.json()) as Array<{ name: string }>).map((t) => t.name)).toContain("reader");
    const write = await api.post("/api/v1/tokens", { headers: auth, data: { name: "escalate", scope: "write" } });
    expect(write.status()).toBe(403);
    expect(((await write.json()) as { message: string }).message).toMatch(/read-only/);
    const me = await api.get("/api/v1/me", { headers: auth });
    expect(((await me.json()) as { currentOrg: { id: string } }).currentOrg.id).toBe(tenant.orgId);
    const none = await api.get("/api/v1/me");
    expect(none.status()).toBe(401);
  } finally {
    await api.dispose();
  }
});
