import { trpc } from "../support/api.ts";
import { expect, test } from "../support/fixtures.ts";

test("the audit log pages through events and filters by action", async ({ tenant, page }) => {
  // 26 token creations: with org.create, user.signup and the verification, more than one page of 25.
  for (let i = 0; i < 26; i++) await trpc(page.request, "tokens.create", { name: `bulk-${i}`, scope: "read" });

  await page.goto("/settings/audit");
  const body = page.locator("tbody");
  await expect(body.getByRole("row")).toHaveCount(25);
  // Newest first: the last token created is on top.
  await expect(body.getByRole("row").first()).toContainText("token.create");
  await expect(body.getByRole("row").first()).toContainText(tenant.user.email);
  await expect(page.getByRole("button", { name: "Previous" })).toBeDisabled();

  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByText("Page 2")).toBeVisible();
  await expect(body.getByRole("row").filter({ hasText: "org.create" })).toHaveCount(1);
  await expect(page.getByRole("button", { name: "Next" })).toBeDisabled();
  await page.getByRole("button", { name: "Previous" }).click();
  await expect(page.getByText("Page 1")).toBeVisible();

  await page.getByLabel("Action").fill("org.create");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(body.getByRole("row")).toHaveCount(1);
  await expect(body.getByRole("row")).toContainText("org.create");
  await page.getByRole("button", { name: "Clear" }).click();
  await expect(body.getByRole("row")).toHaveCount(25);
});
