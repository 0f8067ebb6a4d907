import { newUser, trpcRaw } from "../support/api.ts";
import { expect, makeTenant, test } from "../support/fixtures.ts";
import { linkIn, waitForMail } from "../support/mailbox.ts";

test("an owner invites a viewer, who signs up from the mail and cannot invite", async ({ tenant, page, browser }) => {
  const invitee = newUser("viewer");
  await page.goto("/settings/members");
  const form = page.getByRole("form", { name: "Invite member" });
  await form.getByLabel("E-mail").fill(invitee.email);
  await form.getByLabel("Role").selectOption("viewer");
  await form.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByText(`Invitation sent to ${invitee.email}.`)).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: invitee.email })).toBeVisible();

  const mail = await waitForMail(invitee.email, { subject: /invited/i });
  const link = linkIn(mail, "/invite/");

  const context = await browser.newContext();
  const guest = await context.newPage();
  try {
    await guest.goto(link);
    await expect(guest.getByTestId("invite-org")).toHaveText(tenant.user.orgName);
    await expect(guest.getByText("viewer", { exact: true })).toBeVisible();
    await guest.getByRole("link", { name: "Create an account and join" }).click();
    await expect(guest.getByLabel("E-mail")).toHaveValue(invitee.email);
    await guest.getByLabel("Your name").fill(invitee.name);
    await guest.getByLabel("Password").fill(invitee.password);
    await guest.getByRole("button", { name: `Join ${tenant.user.orgName}` }).click();

    await expect(guest).toHaveURL(/\/dashboard$/);
    await expect(guest.getByTestId("org-name")).toHaveText(tenant.user.orgName);
    await expect(guest.getByText("Your role")).toContainText("viewer");

    // As a viewer the invite form is not offered…
    await guest.goto("/settings/members");
    await expect(guest.getByRole("row").filter({ hasText: tenant.user.email })).toBeVisible();
    await expect(guest.getByRole("form", { name: "Invite member" })).toHaveCount(0);
    await expect(guest.getByRole("button", { name: "Send invitation" })).toHaveCount(0);
    await expect(guest.getByRole("button", { name: "Remove" })).toHaveCount(0);
    await expect(guest.getByRole("link", { name: "Audit log" })).toHaveCount(0);

    // …and calling the procedure directly is refused by the server.
    const res = await trpcRaw(guest.request, "invitations.create", { email: newUser("x").email, role: "admin" });
    expect(res.status()).toBe(403);
    const body = (await res.json()) as { error: { json: { message: string } } };
    expect(body.error.json.message).toMatch(/viewer/i);
  } finally {
    await context.close();
  }

  // The owner sees the new member with the role given, and can remove them after confirming.
  await page.goto("/settings/members");
  await expect(page.getByRole("combobox", { name: `Role of ${invitee.email}` })).toHaveValue("viewer");
  const memberRow = page.getByRole("row").filter({ hasText: invitee.email });
  await expect(memberRow).toHaveCount(1);
  await memberRow.getByRole("button", { name: "Remove" }).click();
  const confirm = page.getByRole("dialog", { name: "Remove member?" });
  await expect(confirm).toContainText(invitee.email);
  await confirm.getByRole("button", { name: "Remove" }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByRole("row").filter({ hasText: invitee.email })).toHaveCount(0);
});

test("a revoked invitation's link no longer works", async ({ tenant: _owner, page, browser }) => {
  const invitee = newUser("revoked");
  await page.goto("/settings/members");
  const form = page.getByRole("form", { name: "Invite member" });
  await form.getByLabel("E-mail").fill(invitee.email);
  await form.getByRole("button", { name: "Send invitation" }).click();
  const row = page.getByRole("row").filter({ hasText: invitee.email });
  await expect(row).toBeVisible();
  const link = linkIn(await waitForMail(invitee.email, { subject: /invited/i }), "/invite/");

  await row.getByRole("button", { name: "Revoke" }).click();
  const confirm = page.getByRole("dialog", { name: "Revoke invitation?" });
  // Escape cancels; the invitation stays.
  await page.keyboard.press("Escape");
  await expect(confirm).toBeHidden();
  await expect(row).toBeVisible();
  await row.getByRole("button", { name: "Revoke" }).click();
  await confirm.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByRole("row").filter({ hasText: invitee.email })).toHaveCount(0);

  const context = await browser.newContext();
  try {
    const guest = await context.newPage();
    await guest.goto(link);
    await expect(guest.getByRole("heading", { name: "Invitation not valid" })).toBeVisible();
    await expect(guest.getByText("This invitation was withdrawn.")).toBeVisible();
  } finally {
    await context.close();
  }
});

test("a signed-in user accepts an invitation, then gets promoted to admin", async ({ tenant, page, browser }) => {
  const context = await browser.newContext();
  try {
    const other = await makeTenant(await context.newPage(), "joiner");
    await page.goto("/settings/members");
    const form = page.getByRole("form", { name: "Invite member" });
    await form.getByLabel("E-mail").fill(other.user.email);
    await form.getByLabel("Role").selectOption("member");
    await form.getByRole("button", { name: "Send invitation" }).click();
    const link = linkIn(await waitForMail(other.user.email, { subject: /invited/i }), "/invite/");

    await other.page.goto(link);
    await other.page.getByRole("button", { name: `Join ${tenant.user.orgName}` }).click();
    await expect(other.page.getByTestId("org-name")).toHaveText(tenant.user.orgName);
    await expect(other.page.getByText("Your role")).toContainText("member");
    // Their own org is still in the switcher.
    await other.page.getByTestId("org-switcher").click();
    await expect(other.page.getByRole("menuitem", { name: new RegExp(other.user.orgName) })).toBeVisible();
    await other.page.keyboard.press("Escape");

    await page.reload();
    await page.getByRole("combobox", { name: `Role of ${other.user.email}` }).selectOption("admin");
    await expect(page.getByRole("combobox", { name: `Role of ${other.user.email}` })).toHaveValue("admin");
    // Shown at once; after a reload it comes from the server.
    await expect(async () => {
      await page.reload();
      await expect(page.getByRole("combobox", { name: `Role of ${other.user.email}` })).toHaveValue("admin", {
        timeout: 1_000,
      });
    }).toPass({ timeout: 10_000 });
    await other.page.goto("/settings/members");
    await expect(other.page.getByRole("form", { name: "Invite member" })).toBeVisible();
    await expect(other.page.getByRole("link", { name: "Audit log" })).toBeVisible();
  } finally {
    await context.close();
  }
});
