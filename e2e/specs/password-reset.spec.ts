import { newUser, signUpByApi, verifyByMail } from "../support/api.ts";
import { expect, test } from "../support/fixtures.ts";
import { linkIn, waitForMail } from "../support/mailbox.ts";

test("forgot password: the mailed link sets a new password, the old one stops working", async ({ page }) => {
  const user = newUser("reset");
  await signUpByApi(page.request, user);
  await verifyByMail(page.request, user.email);

  await page.goto("/signin");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page.getByRole("heading", { name: "Reset your password" })).toBeVisible();
  await page.getByLabel("E-mail").fill(user.email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByText("Check your inbox")).toBeVisible();

  const mail = await waitForMail(user.email, { subject: /reset/i });
  await page.goto(linkIn(mail, "/reset-password"));
  const fresh = `${user.password} 2nd`;
  await page.getByLabel("New password", { exact: true }).fill(fresh);
  await page.getByLabel("Confirm new password").fill(`${fresh}x`);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("The two passwords differ.")).toBeVisible();
  await page.getByLabel("Confirm new password").fill(fresh);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Your password was changed")).toBeVisible();

  await page.getByLabel("E-mail").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Wrong e-mail or password")).toBeVisible();

  // A deep link asked for while signed out opens after signing in.
  await page.goto("/settings/members");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=/);
  await page.getByLabel("E-mail").fill(user.email);
  await page.getByLabel("Password").fill(fresh);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/settings\/members$/);
  await expect(page.getByRole("row").filter({ hasText: user.email })).toBeVisible();
});
