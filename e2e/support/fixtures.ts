import { test as base, type Page } from "@playwright/test";
import { me, newUser, signInByApi, signUpByApi, type TestUser, verifyByMail } from "./api.ts";

export interface Tenant {
  user: TestUser;
  orgId: string;
  page: Page;
}

/**
 * `tenant`: a verified user with their own org, signed in in the test's page. Made through the
 * API (sign-up, the verification mail, next-auth's credentials sign-in): the UI journey itself
 * is covered once by the sign-up spec.
 */
export async function makeTenant(page: Page, label: string, opts: { verify?: boolean } = {}): Promise<Tenant> {
  const user = newUser(label);
  await signUpByApi(page.request, user);
  if (opts.verify !== false) await verifyByMail(page.request, user.email);
  await signInByApi(page.request, user);
  const m = await me(page.request);
  const org = m.orgs.find((o) => o.name === user.orgName);
  if (!org) throw new Error(`the org of ${user.email} is missing from me.get`);
  return { user, orgId: org.id, page };
}

export const test = base.extend<{ tenant: Tenant }>({
  tenant: async ({ page }, use) => {
    await use(await makeTenant(page, "owner"));
  },
});

export { expect } from "@playwright/test";
