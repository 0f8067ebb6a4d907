import { randomBytes } from "node:crypto";
import { expect, test } from "../support/fixtures.ts";

test("create a second organization from the switcher, rename it, switch back", async ({ tenant, page }) => {
  const second = `Second Org ${randomBytes(3).toString("hex")}`;
  await page.goto("/dashboard");
  await expect(page.getByTestId("org-name")).toHaveText(tenant.user.orgName);

  await page.getByTestId("org-switcher").click();
  await page.getByRole("menuitem", { name: "+ Create organization" }).click();
  const dialog = page.getByRole("dialog", { name: "Create organization" });
  await dialog.getByLabel("Organization name").fill("x");
  await dialog.getByLabel("Organization name").press("Enter");
  await expect(dialog.getByRole("alert")).toContainText("at least 2 characters");
  await dialog.getByLabel("Organization name").fill(second);
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(page.getByTestId("org-name")).toHaveText(second);
  await expect(page.getByText("Your role")).toContainText("owner");

  await page.goto("/settings");
  await page.getByLabel("Name").fill(`${second} renamed`);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  await expect(page.getByRole("heading", { name: `${second} renamed` })).toBeVisible();

  await page.getByTestId("org-switcher").click();
  await page.getByRole("menuitem", { name: new RegExp(tenant.user.orgName) }).click();
  await expect(page.getByTestId("org-name")).toHaveText(tenant.user.orgName);

  // Escape closes the menu.
  await page.getByTestId("org-switcher").click();
  await expect(page.getByRole("menu")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("menu")).toBeHidden();
});
