import { newUser } from "../support/api.ts";
import { expect, makeTenant, test } from "../support/fixtures.ts";
import { linkIn, waitForMail } from "../support/mailbox.ts";

test("sign up, verify the e-mail from the mail, land on the org dashboard", async ({ page }) => {
  const user = newUser("signup");
  await page.goto("/signup");
  await expect(page.getByText("10 to 128 characters")).toBeVisible();
  await page.getByLabel("Your name").fill(user.name);
  await page.getByLabel("E-mail").fill(user.email);
  await page.getByLabel("Password").fill("short");
  await page.getByLabel("Organization name").fill(user.orgName);
  await page.getByRole("button", { name: "Create account" }).click();
  // The policy is checked before sending, and the message sits under the field.
  await expect(page.getByRole("alert").filter({ hasText: "10 to 128" })).toBeVisible();

  await page.getByLabel("Password").fill(user.password);
  await page.getByLabel("Password").press("Enter");
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("org-name")).toHaveText(user.orgName);
  await expect(page.getByText("Verify your e-mail to create clusters")).toBeVisible();
  await expect(page.getByRole("button", { name: "Create cluster" })).toBeDisabled();

  const mail = await waitForMail(user.email, { subject: /verify/i });
  expect(mail.file).toMatch(/\.eml$/);
  await page.goto(linkIn(mail, "/verify-email"));
  await expect(page.getByText("E-mail verified")).toBeVisible();
  await page.getByRole("link", { name: "Go to your dashboard" }).click();
  await expect(page.getByTestId("org-name")).toHaveText(user.orgName);
  await expect(page.getByText("No clusters yet")).toBeVisible();
  await expect(page.getByText("Verify your e-mail to create clusters")).toHaveCount(0);

  // The same link cannot be used twice.
  await page.goto(linkIn(mail, "/verify-email"));
  await expect(page.getByText("Verification failed")).toBeVisible();
});

test("a wrong password is refused with a clear message", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("E-mail").fill(`nobody-${Date.now()}@e2e.nuage.test`);
  await page.getByLabel("Password").fill("not the password 1");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Wrong e-mail or password")).toBeVisible();
  await expect(page).toHaveURL(/\/signin/);
});

test("Resend sends a fresh verification link that works", async ({ page }) => {
  const t = await makeTenant(page, "resend", { verify: false });
  await waitForMail(t.user.email, { subject: /verify/i });
  await page.goto("/dashboard");
  const banner = page.getByRole("status").filter({ hasText: "Verify your e-mail to create clusters" });
  await banner.getByRole("button", { name: "Resend" }).click();
  await expect(banner).toContainText(`We sent a new link to ${t.user.email}.`);
  const second = await waitForMail(t.user.email, { subject: /verify/i, count: 2 });
  await page.goto(linkIn(second, "/verify-email"));
  await expect(page.getByText("E-mail verified")).toBeVisible();
  await page.goto("/dashboard");
  await expect(page.getByText("Verify your e-mail to create clusters")).toHaveCount(0);
});
